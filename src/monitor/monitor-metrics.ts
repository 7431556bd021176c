import type { MetricFamily } from '../metrics/families.js';
import {
  type Collectable,
  Counter,
  type CounterChild,
  collectedGauge,
  Histogram,
} from '../metrics/instruments.js';
import { serversByState } from '../metrics/servers-by-state.js';
import type { ServerStatus } from '../status/schema.js';

/**
 * The monitor's metrics (`soap_balancer_monitor_*`), served at `/metrics` beside `/status`: probes
 * and rounds counted as they end, servers by state and their load read from the latest probes at
 * scrape time. Servers are labelled by id (their URL unless the operator named them).
 */
export class MonitorMetrics {
  readonly #probeDuration = new Histogram({
    name: 'soap_balancer_monitor_probe_duration_seconds',
    help: 'Time a probe of a server took, failed ones included.',
    labelNames: ['server'],
  });
  readonly #probeFailures = new Counter({
    name: 'soap_balancer_monitor_probe_failures_total',
    help: 'Probes that failed (refused, timed out, HTTP 5xx), by server.',
    labelNames: ['server'],
  });
  readonly #roundsFamily = new Counter({
    name: 'soap_balancer_monitor_rounds_total',
    help: 'Probe rounds completed (every server probed once).',
    labelNames: [],
  });
  readonly #rounds: CounterChild = this.#roundsFamily.labels();
  readonly #roundDurationFamily = new Histogram({
    name: 'soap_balancer_monitor_round_duration_seconds',
    help: 'Time a probe round took, from its first probe to its last.',
    labelNames: [],
  });
  readonly #roundDuration = this.#roundDurationFamily.labels();
  readonly #collectables: Collectable[];

  /** @param statuses every server's status as of its latest probe. */
  constructor(statuses: () => readonly ServerStatus[]) {
    this.#collectables = [
      this.#probeDuration,
      this.#probeFailures,
      this.#roundsFamily,
      this.#roundDurationFamily,
      collectedGauge('soap_balancer_monitor_servers', 'Servers watched, by state (up, down, draining).', () =>
        serversByState(statuses(), {}),
      ),
      collectedGauge(
        'soap_balancer_monitor_server_load',
        "Each server's load score as published in /status (lower is less busy).",
        () => statuses().map((server) => ({ labels: { server: server.id }, value: server.load })),
      ),
    ];
  }

  /** A probe of server `id` ended. */
  probeEnded(id: string, ok: boolean, durationMs: number): void {
    this.#probeDuration.labels(id).observe(durationMs / 1000);
    // Made at the first probe, failed or not: a series that starts at 0 lets `rate()` see the first failure.
    this.#probeFailures.labels(id).inc(ok ? 0 : 1);
  }

  /** A round was completed. */
  roundEnded(durationMs: number): void {
    this.#rounds.inc();
    this.#roundDuration.observe(durationMs / 1000);
  }

  /** Every family now (the same names on every call). */
  families(): MetricFamily[] {
    return this.#collectables.map((collectable) => collectable.collect());
  }
}
