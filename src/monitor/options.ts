import { defaultLoadReportPath } from '../load-report/schema.js';
import {
  describe,
  integerAtLeast,
  isPlainObject,
  numberInRange,
  ofFunction,
  positiveNumber,
  requestPath,
  timerMs,
} from '../validate.js';
import type { ProbeTransport } from './http-transport.js';
import { type MonitoredServerEntry, type MonitoredServerInput, normalizeServerList } from './server-entry.js';

/** Options of {@link createMonitor}. */
export interface MonitorOptions {
  /** The replicas to watch; more can be added at run time with `addServer()`. May be empty. */
  readonly servers: readonly MonitoredServerInput[];
  /**
   * Time between the starts of two probe rounds, in milliseconds (see `jitter`); at most 2^31 - 1.
   * @default 1000
   */
  readonly intervalMs?: number;
  /**
   * How long one probe of one server may take, fallback to `healthPath` included, in milliseconds.
   * At most `intervalMs`, so that one slow server cannot stretch a round past the next one's start.
   * @default 1000
   */
  readonly timeoutMs?: number;
  /**
   * Each round starts `intervalMs * (1 ± jitter)` after the previous one, so that monitors started
   * together do not probe in step. In `[0, 1)`.
   * @default 0.1
   */
  readonly jitter?: number;
  /**
   * Most probes in flight at once.
   * @default 32
   */
  readonly concurrency?: number;
  /**
   * Consecutive successful probes that bring a down server back up.
   * @default 2
   */
  readonly rise?: number;
  /**
   * Consecutive failed probes that take an up server down.
   * @default 3
   */
  readonly fall?: number;
  /**
   * Path (query allowed) requested to check liveness of a server without load reporter, e.g.
   * `'/calculator?wsdl'`. Any answer below 500 means alive (an HTTP answer proves the server is up);
   * 5xx, a timeout or a refused connection is a failed probe.
   * @default '/'
   */
  readonly healthPath?: string;
  /**
   * Path of the servers' load reporter; `false` when no server has one (only `healthPath` is probed).
   * A server answering 404 or no valid report there is probed on `healthPath` instead, and asked for
   * its report again every 30 rounds.
   * @default '/soap-balancer/load'
   */
  readonly loadPath?: string | false;
  /**
   * For servers without load reporter, `load` = smoothed probe latency / `latencyScaleMs`.
   * @default 100
   */
  readonly latencyScaleMs?: number;
  /**
   * How far a server's `load` must move (up or down, since the ETag of `/status` last changed) to give
   * `/status` a new ETag. Below it, a poller revalidating with `If-None-Match` gets a body-less 304: the
   * body still gets fresh latencies and check times, but a client would pick the same way. A change of
   * state or membership always changes the ETag. 0: every load change does.
   * @default 0.1
   */
  readonly etagLoadThreshold?: number;
  /**
   * Probe rounds remembered per server for the dashboard's charts (`monitor.history()`); at the default
   * interval, the last 5 minutes. 0 keeps none.
   * @default 300
   */
  readonly historyRounds?: number;
  /**
   * Bearer token that `GET /status` requires (`Authorization: Bearer <token>`); `/healthz` stays open.
   * @default undefined (no authentication)
   */
  readonly token?: string;
  /**
   * Clock (epoch ms) for `lastCheckedAt` and `generatedAt`; for tests.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * Random source in `[0, 1)` for the round jitter; for tests.
   * @default Math.random
   */
  readonly random?: () => number;
  /**
   * What performs each probe's HTTP GET; for tests, or custom TLS. The monitor does not close it.
   * @default an HTTP(S) GET over keep-alive agents owned (and closed) by the monitor
   */
  readonly transport?: ProbeTransport;
}

/** Defaults of every optional option. */
export const defaultMonitorOptions = {
  intervalMs: 1_000,
  timeoutMs: 1_000,
  jitter: 0.1,
  concurrency: 32,
  rise: 2,
  fall: 3,
  healthPath: '/',
  loadPath: defaultLoadReportPath,
  latencyScaleMs: 100,
  etagLoadThreshold: 0.1,
  historyRounds: 300,
} as const satisfies Partial<MonitorOptions>;

export interface NormalizedMonitorOptions {
  readonly servers: readonly MonitoredServerEntry[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly jitter: number;
  readonly concurrency: number;
  readonly rise: number;
  readonly fall: number;
  readonly healthPath: string;
  readonly loadPath: string | false;
  readonly latencyScaleMs: number;
  readonly etagLoadThreshold: number;
  readonly historyRounds: number;
  readonly token: string | undefined;
  readonly now: () => number;
  readonly random: () => number;
  readonly transport: ProbeTransport | undefined;
}

const knownOptions = new Set<string>([
  'servers',
  ...Object.keys(defaultMonitorOptions),
  'token',
  'now',
  'random',
  'transport',
]);

/**
 * Validates and completes the options.
 * @throws {TypeError | RangeError} naming the option and the value received.
 */
export function normalizeMonitorOptions(options: unknown): NormalizedMonitorOptions {
  if (!isPlainObject(options))
    throw new TypeError(`Expected \`options\` to be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!knownOptions.has(key)) throw new TypeError(`Unknown option \`${key}\``);
  }
  const option = <K extends keyof typeof defaultMonitorOptions>(name: K): unknown =>
    options[name] ?? defaultMonitorOptions[name];
  // Both are timers (the rounds' and each probe's, and the CLI's servers-file check runs every
  // `intervalMs`): beyond 2^31 - 1 ms, setTimeout would fire after 1 ms.
  const intervalMs = timerMs('intervalMs', option('intervalMs'), 1);
  const timeoutMs = timerMs('timeoutMs', option('timeoutMs'), 1);
  if (timeoutMs > intervalMs) {
    throw new RangeError(
      `Expected \`timeoutMs\` (${timeoutMs}) to be at most \`intervalMs\` (${intervalMs})`,
    );
  }
  const loadPath = option('loadPath');
  return {
    servers: normalizeServerList(options.servers, 'servers'),
    intervalMs,
    timeoutMs,
    jitter: numberInRange('jitter', option('jitter'), 0, 1),
    concurrency: integerAtLeast('concurrency', option('concurrency'), 1),
    rise: integerAtLeast('rise', option('rise'), 1),
    fall: integerAtLeast('fall', option('fall'), 1),
    healthPath: requestPath('healthPath', option('healthPath')),
    loadPath: loadPath === false ? false : requestPath('loadPath', loadPath),
    latencyScaleMs: positiveNumber('latencyScaleMs', option('latencyScaleMs')),
    etagLoadThreshold: numberInRange('etagLoadThreshold', option('etagLoadThreshold'), 0, Infinity),
    historyRounds: historyRounds(option('historyRounds')),
    token: bearerToken(options.token),
    now: ofFunction('now', options.now, Date.now),
    random: ofFunction('random', options.random, Math.random),
    transport: probeTransport(options.transport),
  };
}

/** Most rounds remembered per server: about 30 bytes a round, so 10,000 servers x 300 rounds is 90 MB. */
const maxHistoryRounds = 10_000;

function historyRounds(value: unknown): number {
  const rounds = integerAtLeast('historyRounds', value, 0);
  if (rounds > maxHistoryRounds) {
    throw new RangeError(
      `Expected \`historyRounds\` to be an integer <= ${maxHistoryRounds}, got ${describe(value)}`,
    );
  }
  return rounds;
}

/** RFC 6750 `b64token`: anything else could not be sent in an `Authorization` header as is. */
function bearerToken(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[A-Za-z0-9\-._~+/]+=*$/.test(value)) {
    throw new TypeError(
      `Expected \`token\` to be a non-empty string of letters, digits and -._~+/ (then =), got ${
        typeof value === 'string' ? 'a string with other characters' : describe(value)
      }`,
    );
  }
  return value;
}

function probeTransport(value: unknown): ProbeTransport | undefined {
  if (value === undefined) return undefined;
  if (isPlainObject(value) && typeof value.get === 'function') return value as unknown as ProbeTransport;
  throw new TypeError(`Expected \`transport\` to be an object with \`get()\`, got ${describe(value)}`);
}
