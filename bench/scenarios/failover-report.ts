// Failover results: one row per run (the kill is a single event, so each run matters, not just the
// median), medians per variant, and the targets, checked in every repetition.
import type { LoopResult } from '../closed-loop.js';
import { formatErrors } from '../error-kind.js';
import { type Cell, fixed, formatTable } from '../format.js';
import type { BenchSettings } from '../settings.js';
import { addCounts, median } from '../stats.js';
import { printTargets, type TargetCheck, type Verdict } from '../targets.js';
import type { FailoverVariant } from './failover.js';

export interface FailoverRun {
  readonly variant: string;
  readonly rep: number;
  readonly result: LoopResult;
  /** Calls b1 was serving or queueing just before the kill, by its own load report (NaN if unknown). */
  readonly inFlightAtKill: number;
  /** When SIGKILL was sent to b1, ms after the window's start. */
  readonly killAtMs: number;
  /** When b1's exit was seen, ms after the window's start. */
  readonly diedAtMs: number;
  /** Failed calls that were sent before the signal (in flight on b1 when it was killed). */
  readonly errorsSentBeforeKill: number;
  /** Failed calls sent between the signal and b1's exit: b1 still held its sockets, so still in flight. */
  readonly errorsSentWhileDying: number;
  /** Failed calls sent after b1 had exited: avoidable, a burst while the balancer catches up. */
  readonly errorsSentAfterExit: number;
  readonly lastErrorAfterKillMs: number;
}

export interface FailoverVariantSummary {
  readonly variant: string;
  readonly throughput: number;
  readonly p99Ms: number;
  readonly errorsByRep: readonly number[];
  readonly errors: Record<string, number>;
}

export interface FailoverSummary {
  readonly variants: readonly FailoverVariantSummary[];
  readonly checks: readonly TargetCheck[];
}

function allReps(runs: readonly FailoverRun[], passes: (run: FailoverRun) => boolean): Verdict {
  return runs.length === 0 ? 'n/a' : runs.every(passes) ? 'PASS' : 'MISS';
}

function perRep(runs: readonly FailoverRun[], value: (run: FailoverRun) => number | string): string {
  return runs.map(value).join(' ');
}

export function summarizeFailover(
  variants: readonly FailoverVariant[],
  runs: readonly FailoverRun[],
  concurrency: number,
): FailoverSummary {
  const summaries = variants.map((variant) => {
    const own = runs.filter((run) => run.variant === variant.label);
    const errors: Record<string, number> = {};
    for (const run of own) addCounts(errors, run.result.errors);
    return {
      variant: variant.label,
      throughput: median(own.map((run) => run.result.throughput)),
      p99Ms: median(own.map((run) => run.result.p99Ms)),
      errorsByRep: own.map((run) => run.result.errorCount),
      errors,
    };
  });
  const checks: TargetCheck[] = [];
  for (const variant of variants.filter((candidate) => candidate.haproxy === undefined)) {
    const own = runs.filter((run) => run.variant === variant.label);
    const errorsByRep = perRep(own, (run) => run.result.errorCount);
    if (variant.idempotent) {
      checks.push({
        target: 'idempotent: 0 errors',
        measured: errorsByRep,
        verdict: allReps(own, (run) => run.result.errorCount === 0),
        note: 'errors per rep',
      });
    } else {
      // b1's own count just before the signal (else the most that can be in flight anywhere), plus
      // the calls that reached it while it was dying: all were in flight on b1 when it died.
      const inFlight = (run: FailoverRun) =>
        Number.isNaN(run.inFlightAtKill) ? concurrency : run.inFlightAtKill;
      checks.push({
        target: 'not idempotent: errors <= calls in flight on b1 when it died',
        measured: `${errorsByRep} <= ${perRep(own, (run) => `${inFlight(run)}+${run.errorsSentWhileDying}`)}`,
        verdict: allReps(own, (run) => run.result.errorCount <= inFlight(run) + run.errorsSentWhileDying),
        note: 'b1 load report at SIGKILL + calls sent until its exit',
      });
    }
    checks.push({
      target: `${variant.idempotent ? 'idempotent' : 'not idempotent'}: 0 errors on calls sent after b1 exited`,
      measured: perRep(own, (run) => run.errorsSentAfterExit),
      verdict: allReps(own, (run) => run.errorsSentAfterExit === 0),
      note: 'no burst while the monitor catches up',
    });
  }
  return { variants: summaries, checks };
}

export function printFailover(
  settings: BenchSettings,
  runs: readonly FailoverRun[],
  summary: FailoverSummary,
): void {
  console.log(
    `\nfailover runs: b1 SIGKILLed ${fixed(settings.durationS / 2, 1)} s into each ${settings.durationS} s window ` +
      `(after ${settings.warmupS} s warm-up).\nFailed calls by when they were sent: before the signal, ` +
      `while b1 was dying (from the signal to its exit, 'dying ms'), after it had exited.\n` +
      `'in flight b1': calls b1 was serving or queueing just before the signal, by its own load report\n`,
  );
  const sorted = [...runs].sort((a, b) => a.variant.localeCompare(b.variant) || a.rep - b.rep);
  const rows: Cell[][] = sorted.map((run) => [
    run.variant,
    run.rep,
    fixed(run.result.throughput, 1),
    fixed(run.result.p99Ms, 1),
    Number.isNaN(run.inFlightAtKill) ? '?' : run.inFlightAtKill,
    fixed(run.diedAtMs - run.killAtMs, 1),
    run.result.errorCount,
    run.errorsSentBeforeKill,
    run.errorsSentWhileDying,
    run.errorsSentAfterExit,
    fixed(run.lastErrorAfterKillMs, 0),
    formatErrors(run.result.errors),
  ]);
  const headers = [
    'variant',
    'rep',
    'calls/s',
    'p99 ms',
    'in flight b1',
    'dying ms',
    'errors',
    'sent before',
  ];
  headers.push('sent dying', 'sent after exit', 'last error ms', 'error kinds');
  console.log(formatTable(headers, rows, 'lrrrrrrrrrrl'));
  console.log(`\nmedians over ${settings.reps} rep(s)\n`);
  const medianRows: Cell[][] = summary.variants.map((variant) => [
    variant.variant,
    fixed(variant.throughput, 1),
    fixed(variant.p99Ms, 1),
    variant.errorsByRep.join(' '),
    formatErrors(variant.errors),
  ]);
  console.log(
    formatTable(['variant', 'calls/s', 'p99 ms', 'errors by rep', 'error kinds'], medianRows, 'lrrrl'),
  );
  if (summary.checks.length > 0) {
    console.log('\nfailover targets (every rep must pass)\n');
    printTargets(summary.checks);
  }
}
