// `soap-balancer/prom-client`: puts soap-balancer's metrics into an application's own prom-client
// registry. Kept out of the main entry so that only applications that use prom-client load this, and
// it only needs prom-client's types: the registry is driven through its public `registerMetric`.
import type { Registry, RegistryContentType } from 'prom-client';
import { formatNumber } from './metrics/encode.js';
import type { MetricFamily, MetricLabels, MetricsSource } from './metrics/families.js';

export type { MetricFamily, MetricsSource } from './metrics/families.js';

/** One value as prom-client's registry formats it (what its own metrics' `get()` return). */
interface PromValue {
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly metricName?: string;
}

/**
 * Reads each source once per scrape, not once per family: the registry asks every family in the same
 * tick, so what was read is kept until the next microtask.
 */
class ScrapeCache {
  #read: Map<MetricsSource, MetricFamily[]> | undefined;

  families(source: MetricsSource): MetricFamily[] {
    if (this.#read === undefined) {
      const read = new Map<MetricsSource, MetricFamily[]>();
      this.#read = read;
      queueMicrotask(() => {
        this.#read = undefined;
      });
    }
    let families = this.#read.get(source);
    if (families === undefined) {
      families = source.metrics();
      this.#read.set(source, families);
    }
    return families;
  }
}

/**
 * One family in the registry, with every source registered for it: several balanced clients share
 * `soap_balancer_client_calls_total`, told apart by their `client` label. Has the shape of a
 * prom-client metric (`name`, `help`, `type`, `aggregator`, `get()`, `reset()`).
 */
class FamilyInRegistry {
  /** Read and rewritten by the registry (it drops a counter's `_total` when it writes OpenMetrics). */
  name: string;
  readonly help: string;
  readonly type: MetricFamily['type'];
  readonly aggregator = 'sum';
  readonly sources = new Set<MetricsSource>();
  readonly #fullName: string;
  readonly #cache: ScrapeCache;

  constructor(family: MetricFamily, cache: ScrapeCache) {
    this.name = family.name;
    this.#fullName = family.name;
    this.help = family.help;
    this.type = family.type;
    this.#cache = cache;
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: PromValue[] } {
    const values: PromValue[] = [];
    for (const source of this.sources) {
      const family = this.#cache.families(source).find((each) => each.name === this.#fullName);
      if (family !== undefined) appendValues(family, values);
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** The library's counters count from the client's (monitor's, reporter's) start; they are not reset. */
  reset(): void {}
}

/** Per registry: our families in it, by their full name, and the scrape they share. */
const registered = new WeakMap<
  Registry<RegistryContentType>,
  { readonly byName: Map<string, FamilyInRegistry>; readonly cache: ScrapeCache }
>();

/**
 * Registers a balanced client's (`client.balancer`), a monitor's or a load reporter's metrics in a
 * prom-client `Registry` (e.g. prom-client's `register`): each scrape of the registry reads them anew.
 * Register several balanced clients in the same registry: their series share the families and differ
 * by their `client` label (the client's `name` option).
 * @returns a function that takes the source's series out again (a family leaves with its last source).
 * @throws {TypeError} when `registry` or `source` is not one, or another metric of the registry has
 * one of the names (nothing is registered then).
 */
export function registerSoapBalancerMetrics(
  registry: Registry<RegistryContentType>,
  source: MetricsSource,
): () => void {
  if (typeof registry?.registerMetric !== 'function') {
    throw new TypeError('Expected `registry` to be a prom-client Registry');
  }
  if (typeof source?.metrics !== 'function') {
    throw new TypeError(
      'Expected `source` to have `metrics()` (client.balancer, a monitor or a load reporter)',
    );
  }
  let ours = registered.get(registry);
  if (ours === undefined) {
    ours = { byName: new Map(), cache: new ScrapeCache() };
    registered.set(registry, ours);
  }
  const { byName, cache } = ours;
  const families = source.metrics();
  // All or nothing: a name taken by another metric is found before any family is registered.
  const taken = families.find(
    (family) => !byName.has(family.name) && registry.getSingleMetric(family.name) !== undefined,
  );
  if (taken !== undefined) {
    throw new TypeError(`The registry already has a metric named \`${taken.name}\``);
  }
  const names = families.map((family) => {
    let inRegistry = byName.get(family.name);
    if (inRegistry === undefined) {
      inRegistry = new FamilyInRegistry(family, cache);
      registry.registerMetric(inRegistry as never);
      byName.set(family.name, inRegistry);
    }
    inRegistry.sources.add(source);
    return family.name;
  });
  return () => {
    for (const name of names) {
      const inRegistry = byName.get(name);
      if (inRegistry === undefined || !inRegistry.sources.delete(source) || inRegistry.sources.size > 0)
        continue;
      registry.removeSingleMetric(name);
      byName.delete(name);
    }
  };
}

function appendValues(family: MetricFamily, values: PromValue[]): void {
  if (family.type !== 'histogram') {
    for (const sample of family.samples) values.push({ labels: { ...sample.labels }, value: sample.value });
    return;
  }
  for (const sample of family.samples) {
    const bucket = (le: string, value: number): PromValue => ({
      labels: withLe(sample.labels, le),
      value,
      metricName: `${family.name}_bucket`,
    });
    for (const { le, count } of sample.buckets) values.push(bucket(formatNumber(le), count));
    values.push(bucket('+Inf', sample.count));
    values.push({ labels: { ...sample.labels }, value: sample.sum, metricName: `${family.name}_sum` });
    values.push({ labels: { ...sample.labels }, value: sample.count, metricName: `${family.name}_count` });
  }
}

function withLe(labels: MetricLabels, le: string): Record<string, string> {
  return { ...labels, le };
}
