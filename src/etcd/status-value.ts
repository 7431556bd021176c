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

/** Writers look for changes this often, so write each key at most this often (a reporter's drain goes at once). */
export const minWriteIntervalMs = 1_000;
