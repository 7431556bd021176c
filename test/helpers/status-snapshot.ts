import type { LoadSource, ServerHealthState, StatusSnapshot } from '../../src/status/schema.js';

/** A server as a test scripts it: the fields that steer the client; the rest get plain values. */
export interface ScriptedServer {
  readonly url: string;
  readonly state?: ServerHealthState;
  readonly load?: number;
  readonly capacity?: number;
  /** @default 'report' */
  readonly loadSource?: LoadSource;
}

/** A valid v1 status snapshot listing `servers`, as the monitor would send it. */
export function statusSnapshot(servers: readonly ScriptedServer[], at = new Date()): StatusSnapshot {
  const checkedAt = at.toISOString();
  return {
    version: 1,
    generatedAt: checkedAt,
    servers: servers.map((server) => ({
      id: server.url,
      url: server.url,
      state: server.state ?? 'up',
      load: server.load ?? 0,
      loadSource: server.loadSource ?? 'report',
      capacity: server.capacity ?? null,
      inFlight: null,
      queued: null,
      served: null,
      eventLoopDelayMs: null,
      latencyMs: 1,
      lastCheckedAt: checkedAt,
    })),
  };
}
