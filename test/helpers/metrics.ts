import type { MetricFamily, MetricLabels } from '../../src/metrics/families.js';

/**
 * The value of the series of `name` whose labels include `labels` (`_count`/`_sum` of a histogram
 * by suffix); `undefined` when there is none.
 */
export function sampleValue(
  families: readonly MetricFamily[],
  name: string,
  labels: MetricLabels = {},
): number | undefined {
  const suffix = /_(count|sum)$/.exec(name)?.[1] as 'count' | 'sum' | undefined;
  const familyName = suffix === undefined ? name : name.slice(0, -suffix.length - 1);
  for (const family of families) {
    if (family.name !== (family.type === 'histogram' ? familyName : name)) continue;
    for (const sample of family.samples) {
      if (!Object.entries(labels).every(([key, value]) => sample.labels[key] === value)) continue;
      if ('value' in sample) return sample.value;
      return suffix === 'sum' ? sample.sum : sample.count;
    }
  }
  return undefined;
}
