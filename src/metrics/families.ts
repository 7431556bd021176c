/**
 * What a metrics snapshot is made of: plain data, the same for the client, the monitor and the load
 * reporter, and what {@link encodePrometheusText} and the prom-client adapter read.
 */

/** Label name → value of one series. */
export type MetricLabels = Readonly<Record<string, string>>;

/** One series of a counter or gauge. */
export interface ValueSample {
  readonly labels: MetricLabels;
  readonly value: number;
}

/** One series of a histogram. */
export interface HistogramSample {
  readonly labels: MetricLabels;
  /** Cumulative counts of the finite buckets, by upper bound (`le`), ascending; `count` is `+Inf`'s. */
  readonly buckets: readonly { readonly le: number; readonly count: number }[];
  readonly sum: number;
  readonly count: number;
}

/** A counter or gauge family: one name, its help text, every series. */
export interface ValueFamily {
  /** The full name, `_total` included for a counter. */
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly samples: readonly ValueSample[];
}

/** A histogram family (durations, in seconds). */
export interface HistogramFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'histogram';
  readonly samples: readonly HistogramSample[];
}

/** One metric family of a snapshot. A family is always listed, even while it has no series yet. */
export type MetricFamily = ValueFamily | HistogramFamily;

/** Anything that gives a metrics snapshot: a balanced client's handle, a monitor, a load reporter. */
export interface MetricsSource {
  /** The metric families now; the same names on every call. */
  metrics(): MetricFamily[];
}
