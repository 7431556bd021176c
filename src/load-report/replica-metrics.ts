import type { MetricFamily } from '../metrics/families.js';

/** What a replica's metrics are read from, at scrape time. */
export interface ReplicaFigures {
  /** Requests being served (HTTP requests in flight less `queued`). */
  readonly inFlight: number;
  readonly queued: number;
  readonly capacity: number | null;
  readonly served: number;
}

/**
 * A replica's metrics (`soap_balancer_replica_*`): the figures of its load report, in Prometheus'
 * units and names. No labels: Prometheus adds the target's own (`instance`, `job`).
 */
export function replicaMetricFamilies(figures: ReplicaFigures): MetricFamily[] {
  const gauge = (name: string, help: string, value: number | null): MetricFamily => ({
    name: `soap_balancer_replica_${name}`,
    help,
    type: 'gauge',
    samples: value === null ? [] : [{ labels: {}, value }],
  });
  return [
    gauge('requests_in_flight', 'Requests being served now (load report `inFlight`).', figures.inFlight),
    gauge(
      'requests_queued',
      "Requests waiting in the application's queue (load report `queued`).",
      figures.queued,
    ),
    gauge(
      'capacity',
      'Requests the replica can serve at once; absent when not configured.',
      figures.capacity,
    ),
    {
      name: 'soap_balancer_replica_requests_served_total',
      help: 'Requests served since the load reporter was attached.',
      type: 'counter',
      samples: [{ labels: {}, value: figures.served }],
    },
  ];
}
