import type { MetricFamily, MetricLabels } from './families.js';

/** The `Content-Type` of {@link encodePrometheusText}'s output (text exposition format 0.0.4). */
export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Writes metric families in Prometheus' text exposition format: `# HELP` and `# TYPE` once per name,
 * a histogram as its `_bucket{le=…}` series (`+Inf` last), `_sum` and `_count`. Families of the same
 * name (several balanced clients, told apart by their `client` label) are written under one header.
 * @throws {TypeError} when two families share a name but not a type.
 */
export function encodePrometheusText(families: readonly MetricFamily[]): string {
  const byName = new Map<string, MetricFamily[]>();
  for (const family of families) {
    const same = byName.get(family.name);
    if (same === undefined) byName.set(family.name, [family]);
    else if (same[0]?.type !== family.type) {
      throw new TypeError(`Metric \`${family.name}\` is both a ${same[0]?.type} and a ${family.type}`);
    } else same.push(family);
  }
  const lines: string[] = [];
  for (const [name, group] of byName) {
    const first = group[0] as MetricFamily;
    lines.push(`# HELP ${name} ${escapeHelp(first.help)}`, `# TYPE ${name} ${first.type}`);
    for (const family of group) writeSamples(family, lines);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function writeSamples(family: MetricFamily, lines: string[]): void {
  const { name } = family;
  if (family.type !== 'histogram') {
    for (const sample of family.samples) {
      lines.push(`${name}${labelText(sample.labels, undefined)} ${formatNumber(sample.value)}`);
    }
    return;
  }
  for (const sample of family.samples) {
    for (const bucket of sample.buckets) {
      lines.push(
        `${name}_bucket${labelText(sample.labels, formatNumber(bucket.le))} ${formatNumber(bucket.count)}`,
      );
    }
    lines.push(`${name}_bucket${labelText(sample.labels, '+Inf')} ${formatNumber(sample.count)}`);
    const labels = labelText(sample.labels, undefined);
    lines.push(`${name}_sum${labels} ${formatNumber(sample.sum)}`);
    lines.push(`${name}_count${labels} ${formatNumber(sample.count)}`);
  }
}

/** `{a="x",le="0.5"}`, or nothing without labels. */
function labelText(labels: MetricLabels, le: string | undefined): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(labels)) parts.push(`${name}="${escapeLabelValue(value)}"`);
  if (le !== undefined) parts.push(`le="${le}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** Go's float syntax as Prometheus parses it: `+Inf`, `-Inf`, `NaN`, else JavaScript's own digits. */
export function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return Number.isNaN(value) ? 'NaN' : String(value);
}

/** In a label value, backslash, double quote and line feed are escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (character) => (character === '\n' ? '\\n' : `\\${character}`));
}

/** In help text, backslash and line feed are escaped. */
function escapeHelp(help: string): string {
  return help.replace(/[\\\n]/g, (character) => (character === '\n' ? '\\n' : '\\\\'));
}
