import type { ServerHealthState } from '../status/schema.js';
import type { MetricLabels, ValueSample } from './families.js';

const states: readonly ServerHealthState[] = ['up', 'down', 'draining'];

/**
 * Servers counted by state (the client's and the monitor's `_servers` gauges): one series per state
 * with `labels` and `state`, 0 included, so that every state's series exists from the start.
 */
export function serversByState(
  servers: readonly { readonly state: ServerHealthState }[],
  labels: MetricLabels,
): ValueSample[] {
  return states.map((state) => ({
    labels: { ...labels, state },
    value: servers.filter((server) => server.state === state).length,
  }));
}
