// Medians over the repetitions of a comparison, the ratios against HAProxy, the targets, and the tables.
import type { LoopResult } from '../closed-loop.js';
import type { Backend } from '../cluster.js';
import { formatErrors } from '../error-kind.js';
import { type Cell, fixed, formatTable } from '../format.js';
import type { BenchSettings } from '../settings.js';
import { addCounts, median } from '../stats.js';
import { checkBound, printTargets, type TargetCheck } from '../targets.js';
import { type ComparisonScenario, haproxyLabel, leastBusyLabel } from './compare.js';

export interface ComparisonRun {
  readonly concurrency: number;
  readonly rep: number;
  /** Where the variant ran in its repetition (1 = first). */
  readonly position: number;
  readonly variant: string;
  readonly result: LoopResult;
}

export interface VariantSummary {
  readonly variant: string;
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Summed over the repetitions. */
  readonly errors: Record<string, number>;
  /** Share of the successful calls each replica served, over all repetitions. */
  readonly share: Record<string, number>;
  readonly throughputByRep: readonly number[];
  readonly p99ByRep: readonly number[];
}

export interface Ratio {
  readonly variant: string;
  /** Variant's median throughput over HAProxy's (higher is better). */
  readonly throughput: number;
  /** Variant's median p99 over HAProxy's (lower is better). */
  readonly p99: number;
}

export interface ConcurrencySummary {
  readonly concurrency: number;
  readonly variants: readonly VariantSummary[];
  readonly ratios: readonly Ratio[];
  readonly checks: readonly TargetCheck[];
}

function summarizeVariant(variant: string, runs: readonly ComparisonRun[]): VariantSummary {
  const results = runs.map((run) => run.result);
  const errors: Record<string, number> = {};
  const served: Record<string, number> = {};
  for (const result of results) {
    addCounts(errors, result.errors);
    addCounts(served, result.byServer);
  }
  const total = Object.values(served).reduce((sum, count) => sum + count, 0);
  const share = Object.fromEntries(Object.entries(served).map(([name, count]) => [name, count / total]));
  return {
    variant,
    throughput: median(results.map((result) => result.throughput)),
    p50Ms: median(results.map((result) => result.p50Ms)),
    p99Ms: median(results.map((result) => result.p99Ms)),
    maxMs: median(results.map((result) => result.maxMs)),
    errors,
    share,
    throughputByRep: results.map((result) => result.throughput),
    p99ByRep: results.map((result) => result.p99Ms),
  };
}

export function summarizeComparison(
  scenario: ComparisonScenario,
  runs: readonly ComparisonRun[],
  labels: readonly string[],
): ConcurrencySummary[] {
  return scenario.concurrencies.map((concurrency) => {
    const atC = runs.filter((run) => run.concurrency === concurrency);
    const variants = labels.map((label) =>
      summarizeVariant(
        label,
        atC.filter((run) => run.variant === label),
      ),
    );
    const haproxy = variants.find((variant) => variant.variant === haproxyLabel);
    const ratios = variants
      .filter((variant) => variant !== haproxy)
      .map((variant) => ({
        variant: variant.variant,
        throughput: haproxy === undefined ? Number.NaN : variant.throughput / haproxy.throughput,
        p99: haproxy === undefined ? Number.NaN : variant.p99Ms / haproxy.p99Ms,
      }));
    const leastBusy = ratios.find((ratio) => ratio.variant === leastBusyLabel);
    const target = scenario.targets.find((candidate) => candidate.concurrency === concurrency);
    const note = haproxy === undefined ? 'no haproxy to compare with' : undefined;
    const checks =
      target === undefined || leastBusy === undefined
        ? []
        : [
            checkBound(
              `C=${concurrency} throughput least-busy/haproxy >= ${target.throughputAtLeast}`,
              leastBusy.throughput,
              '>=',
              target.throughputAtLeast,
              3,
              note,
            ),
            checkBound(
              `C=${concurrency} p99 least-busy/haproxy <= ${target.p99AtMost}`,
              leastBusy.p99,
              '<=',
              target.p99AtMost,
              3,
              note,
            ),
          ];
    return { concurrency, variants, ratios, checks };
  });
}

function shareCell(share: Readonly<Record<string, number>>, backends: readonly Backend[]): string {
  return backends.map((backend) => fixed(100 * (share[backend.name] ?? 0), 0)).join('/');
}

export function printComparison(
  scenario: ComparisonScenario,
  settings: BenchSettings,
  summary: readonly ConcurrencySummary[],
  backends: readonly Backend[],
): void {
  const replicas = backends.map((backend) => `${backend.name} x${backend.mult}`).join(', ');
  const shareHeader = `% calls ${backends.map((backend) => backend.name).join('/')}`;
  for (const { concurrency, variants, ratios } of summary) {
    console.log(
      `\n${scenario.name}, C=${concurrency}: Work(50 ms x mult), replicas ${replicas}, 4 slots each;` +
        ` median of ${settings.reps} x ${settings.durationS} s (after ${settings.warmupS} s warm-up)\n`,
    );
    const rows: Cell[][] = variants.map((variant) => [
      variant.variant,
      fixed(variant.throughput, 1),
      fixed(variant.p50Ms, 1),
      fixed(variant.p99Ms, 1),
      fixed(variant.maxMs, 1),
      shareCell(variant.share, backends),
      variant.throughputByRep.map((value) => fixed(value, 0)).join(' '),
      formatErrors(variant.errors),
    ]);
    const headers = [
      'variant',
      'calls/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      shareHeader,
      'calls/s by rep',
      'errors',
    ];
    console.log(formatTable(headers, rows, 'lrrrrrrl'));
    if (ratios.every((ratio) => Number.isNaN(ratio.throughput))) continue;
    console.log(`\nratios vs ${haproxyLabel} (medians)\n`);
    const ratioRows = ratios.map((ratio) => [ratio.variant, fixed(ratio.throughput, 2), fixed(ratio.p99, 2)]);
    console.log(formatTable(['variant', 'throughput x', 'p99 x'], ratioRows));
  }
  const checks = summary.flatMap((entry) => entry.checks);
  if (checks.length > 0) {
    console.log(`\n${scenario.name} targets (soap-balancer least-busy vs ${haproxyLabel})\n`);
    printTargets(checks);
  }
}
