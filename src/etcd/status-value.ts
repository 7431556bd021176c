import type { ServerStatus } from '../status/schema.js';

/**
 * What of a status counts as a change worth a write: state and load (to 1/100) and the counts, not
 * the timestamps and latencies that change at every look. Writers compare this, so an idle replica
 * costs etcd nothing and a busy one at most a write per interval.
 */
export function significantPart(status: ServerStatus): string {
  return JSON.stringify([
    status.url,
    status.state,
    Math.round(status.load * 100),
    status.loadSource,
    status.capacity,
    status.inFlight,
    status.queued,
  ]);
}

/** Writers write at most this often per key, except a state change (down, draining), written at once. */
export const minWriteIntervalMs = 1_000;
