import type { HistogramSample, MetricFamily, MetricLabels, ValueSample } from './families.js';

/** Something that makes one family at scrape time. */
export interface Collectable {
  collect(): MetricFamily;
}

/** What every instrument is created with. */
export interface InstrumentOptions {
  readonly name: string;
  readonly help: string;
  /** Names of the labels given to `labels()`, in that order. */
  readonly labelNames: readonly string[];
  /** Labels every series carries (e.g. `client`), fixed at creation. */
  readonly constLabels?: MetricLabels;
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * The series of one labelled family, found by their label values through nested maps: no string is
 * built per update, so counting a call costs a few map lookups.
 */
class Children<T> {
  readonly #options: InstrumentOptions;
  readonly #make: () => T;
  readonly #root = new Map<string, unknown>();
  readonly #all: { readonly labels: MetricLabels; readonly child: T }[] = [];

  constructor(options: InstrumentOptions, make: () => T) {
    if (!metricName.test(options.name)) throw new TypeError(`Invalid metric name \`${options.name}\``);
    const names = [...options.labelNames, ...Object.keys(options.constLabels ?? {})];
    for (const name of names) {
      if (!labelName.test(name) || name.startsWith('__') || name === 'le') {
        throw new TypeError(`Invalid label name \`${name}\` for metric \`${options.name}\``);
      }
    }
    this.#options = options;
    this.#make = make;
  }

  get(values: readonly string[]): T {
    const { labelNames } = this.#options;
    if (values.length !== labelNames.length) {
      throw new TypeError(
        `Metric \`${this.#options.name}\` takes ${labelNames.length} label values, got ${values.length}`,
      );
    }
    let node: Map<string, unknown> = this.#root;
    const last = values.length - 1;
    for (let index = 0; index < last; index++) {
      const value = values[index] as string;
      let next = node.get(value) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(value, next);
      }
      node = next;
    }
    const key = last < 0 ? '' : (values[last] as string);
    let child = node.get(key) as T | undefined;
    if (child === undefined) {
      child = this.#make();
      node.set(key, child);
      const labels: Record<string, string> = { ...this.#options.constLabels };
      labelNames.forEach((name, index) => {
        labels[name] = values[index] as string;
      });
      this.#all.push({ labels, child });
    }
    return child;
  }

  /** Every series made so far, in creation order. */
  get all(): readonly { readonly labels: MetricLabels; readonly child: T }[] {
    return this.#all;
  }
}

/** One counter series. */
export interface CounterChild {
  /** Adds `amount` (>= 0). @default 1 */
  inc(amount?: number): void;
}

class CounterValue implements CounterChild {
  value = 0;

  inc(amount = 1): void {
    if (amount >= 0) this.value += amount;
  }
}

/** A counter (name ending in `_total`), one series per combination of label values. */
export class Counter implements Collectable {
  readonly #options: InstrumentOptions;
  readonly #children: Children<CounterValue>;

  constructor(options: InstrumentOptions) {
    if (!options.name.endsWith('_total'))
      throw new TypeError(`Counter \`${options.name}\` must end in _total`);
    this.#options = options;
    this.#children = new Children(options, () => new CounterValue());
  }

  /** The series with these label values (in `labelNames` order); keep it to count without a lookup. */
  labels(...values: string[]): CounterChild {
    return this.#children.get(values);
  }

  collect(): MetricFamily {
    const samples: ValueSample[] = this.#children.all.map(({ labels, child }) => ({
      labels,
      value: child.value,
    }));
    return { name: this.#options.name, help: this.#options.help, type: 'counter', samples };
  }
}

/** One histogram series. */
export interface HistogramChild {
  observe(value: number): void;
}

class HistogramValue implements HistogramChild {
  readonly #bounds: readonly number[];
  /** Per bucket, not cumulative (one increment per observation); the last one is `+Inf`'s. */
  readonly counts: number[];
  sum = 0;

  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    if (Number.isNaN(value)) return;
    const bounds = this.#bounds;
    let index = 0;
    while (index < bounds.length && value > (bounds[index] as number)) index++;
    this.counts[index] = (this.counts[index] as number) + 1;
    this.sum += value;
  }

  sample(labels: MetricLabels): HistogramSample {
    let cumulative = 0;
    const buckets = this.#bounds.map((le, index) => {
      cumulative += this.counts[index] as number;
      return { le, count: cumulative };
    });
    return { labels, buckets, sum: this.sum, count: cumulative + (this.counts.at(-1) as number) };
  }
}

/** Bucket bounds for durations in seconds: Prometheus' defaults, and 30 s (a call's default timeout). */
export const durationBuckets: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** A histogram (durations in seconds, name ending in `_seconds`), one series per combination of label values. */
export class Histogram implements Collectable {
  readonly #options: InstrumentOptions;
  readonly #children: Children<HistogramValue>;

  constructor(options: InstrumentOptions) {
    this.#options = options;
    this.#children = new Children(options, () => new HistogramValue(durationBuckets));
  }

  /** The series with these label values (in `labelNames` order). */
  labels(...values: string[]): HistogramChild {
    return this.#children.get(values);
  }

  collect(): MetricFamily {
    const samples = this.#children.all.map(({ labels, child }) => child.sample(labels));
    return { name: this.#options.name, help: this.#options.help, type: 'histogram', samples };
  }
}

/**
 * A gauge read at scrape time (in-flight calls, servers by state, the status' age): `read` returns its
 * series then, so nothing is kept up to date between scrapes.
 */
export function collectedGauge(name: string, help: string, read: () => readonly ValueSample[]): Collectable {
  if (!metricName.test(name)) throw new TypeError(`Invalid metric name \`${name}\``);
  return { collect: () => ({ name, help, type: 'gauge', samples: read() }) };
}
