/**
 * The monitor's status API (`GET /status`), version 1. The monitor writes it, the balanced client
 * validates every field it reads with {@link parseStatusSnapshot}: a monitor is a remote party, and
 * a lying or hostile one must not be able to crash or steer the client beyond picking among servers.
 */

/** Version of the status schema; a snapshot of another version is rejected. */
export const statusSchemaVersion = 1;

/** `draining`: alive, but to be given no new calls (e.g. before maintenance). */
export type ServerHealthState = 'up' | 'down' | 'draining';

/** Where a server's load figures came from. */
export type LoadSource = 'report' | 'latency' | 'none';

/** One server as the monitor sees it. */
export interface ServerStatus {
  /** A stable label, unique in the snapshot (the URL unless the operator named it). */
  readonly id: string;
  /** Base URL, as in the balanced client's `servers`. */
  readonly url: string;
  readonly state: ServerHealthState;
  /**
   * The one comparable busyness score, >= 0, lower is less busy: outstanding requests per capacity
   * slot plus event-loop delay / 100 ms when the server reports its load (`loadSource: 'report'`),
   * else smoothed probe latency / `latencyScaleMs` (`'latency'`); 0 with `'none'`.
   */
  readonly load: number;
  readonly loadSource: LoadSource;
  /** Concurrent requests the server can serve (from its report); `null` when unknown. */
  readonly capacity: number | null;
  /** Requests being served, from the server's report. */
  readonly inFlight: number | null;
  /** Requests waiting for a slot, from the server's report. */
  readonly queued: number | null;
  /** Requests served since the server started, from its report. */
  readonly served: number | null;
  /** The server's event-loop delay (p99 over the last report period), ms. */
  readonly eventLoopDelayMs: number | null;
  /** Duration of the last successful probe, ms. */
  readonly latencyMs: number | null;
  /** When the server was last probed (ISO 8601); `null` before its first probe. */
  readonly lastCheckedAt: string | null;
}

/** The whole answer of `GET /status`. */
export interface StatusSnapshot {
  readonly version: typeof statusSchemaVersion;
  /** When this snapshot was made (ISO 8601). */
  readonly generatedAt: string;
  readonly servers: readonly ServerStatus[];
}

/** Most servers a snapshot may list; a bigger one is rejected as hostile. */
export const maxServersInSnapshot = 10_000;
const maxStringLength = 2_048;

/** A snapshot that fails validation. The message says which field and why. */
export class InvalidStatusError extends Error {
  override readonly name = 'InvalidStatusError';
}

/**
 * Validates a parsed `GET /status` body and returns a fresh, clean copy (never the input objects,
 * so keys like `__proto__` in the payload go nowhere). Every known field is validated; unknown fields,
 * at the top level or in a server, are ignored and left out of the copy (forward compatible: a newer
 * monitor may add fields).
 * @throws {InvalidStatusError}
 */
export function parseStatusSnapshot(value: unknown): StatusSnapshot {
  const body = record(value, 'snapshot');
  if (body.version !== statusSchemaVersion) {
    throw new InvalidStatusError(`Unsupported status version ${JSON.stringify(body.version)}, expected 1`);
  }
  if (!Array.isArray(body.servers)) throw new InvalidStatusError('`servers` must be an array');
  if (body.servers.length > maxServersInSnapshot) {
    throw new InvalidStatusError(
      `\`servers\` lists ${body.servers.length} servers, more than ${maxServersInSnapshot}`,
    );
  }
  const ids = new Set<string>();
  const servers = body.servers.map((entry: unknown, index) => {
    const server = parseServerStatus(entry, `servers[${index}]`);
    if (ids.has(server.id))
      throw new InvalidStatusError(`servers[${index}].id \`${server.id}\` is not unique`);
    ids.add(server.id);
    return server;
  });
  return { version: statusSchemaVersion, generatedAt: timestamp(body.generatedAt, 'generatedAt'), servers };
}

/**
 * Validates one server's status (an entry of `servers`, or a value a store holds per server) and
 * returns a clean copy; `at` names it in the error message.
 * @throws {InvalidStatusError}
 */
export function parseServerStatus(value: unknown, at: string): ServerStatus {
  const server = record(value, at);
  const state = server.state;
  if (state !== 'up' && state !== 'down' && state !== 'draining') {
    throw new InvalidStatusError(`${at}.state must be 'up', 'down' or 'draining'`);
  }
  const loadSource = server.loadSource;
  if (loadSource !== 'report' && loadSource !== 'latency' && loadSource !== 'none') {
    throw new InvalidStatusError(`${at}.loadSource must be 'report', 'latency' or 'none'`);
  }
  const capacity = optionalNumber(server.capacity, `${at}.capacity`);
  if (capacity !== null && capacity < 1) throw new InvalidStatusError(`${at}.capacity must be >= 1`);
  return {
    id: text(server.id, `${at}.id`),
    url: httpUrl(server.url, `${at}.url`),
    state,
    load: number(server.load, `${at}.load`),
    loadSource,
    capacity,
    inFlight: optionalNumber(server.inFlight, `${at}.inFlight`),
    queued: optionalNumber(server.queued, `${at}.queued`),
    served: optionalNumber(server.served, `${at}.served`),
    eventLoopDelayMs: optionalNumber(server.eventLoopDelayMs, `${at}.eventLoopDelayMs`),
    latencyMs: optionalNumber(server.latencyMs, `${at}.latencyMs`),
    lastCheckedAt:
      server.lastCheckedAt === null ? null : timestamp(server.lastCheckedAt, `${at}.lastCheckedAt`),
  };
}

function record(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidStatusError(`${at} must be an object`);
  }
  return value as Record<string, unknown>;
}

function text(value: unknown, at: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxStringLength) {
    throw new InvalidStatusError(`${at} must be a non-empty string of at most ${maxStringLength} characters`);
  }
  return value;
}

function httpUrl(value: unknown, at: string): string {
  const url = text(value, at);
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new InvalidStatusError(`${at} must be an absolute http(s) URL`);
  }
  return url;
}

function number(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidStatusError(`${at} must be a finite number >= 0`);
  }
  return value;
}

function optionalNumber(value: unknown, at: string): number | null {
  return value === null ? null : number(value, at);
}

function timestamp(value: unknown, at: string): string {
  const stamp = text(value, at);
  if (Number.isNaN(Date.parse(stamp))) throw new InvalidStatusError(`${at} must be an ISO 8601 timestamp`);
  return stamp;
}
