import type { Monitor } from '../monitor/monitor.js';
import type { MonitoredServerEntry } from '../monitor/server-entry.js';

/** What a reconciliation changed. */
export interface Reconciled {
  readonly added: number;
  readonly removed: number;
}

/**
 * Makes the monitor watch exactly `desired` (distinct ids and URLs): removes the servers not listed
 * (or listed with another URL), adds the new ones, and sets every listed one's drain flag. Servers
 * kept keep their state, so a reloaded file does not reset what probing learnt.
 */
export function reconcile(
  monitor: Pick<Monitor, 'servers' | 'addServer' | 'removeServer' | 'setDraining'>,
  desired: readonly MonitoredServerEntry[],
): Reconciled {
  const wanted = new Map(desired.map((entry) => [entry.id, entry]));
  let removed = 0;
  // Removals first: a URL that moves from one id to another must be free before it is added again.
  for (const server of monitor.servers()) {
    if (wanted.get(server.id)?.url === server.url) continue;
    monitor.removeServer(server.id);
    removed++;
  }
  const present = new Set(monitor.servers().map((server) => server.id));
  let added = 0;
  for (const entry of desired) {
    if (present.has(entry.id)) monitor.setDraining(entry.id, entry.draining);
    else {
      monitor.addServer(entry);
      added++;
    }
  }
  return { added, removed };
}
