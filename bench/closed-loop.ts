// A closed-loop load: `concurrency` loops share one caller, each starting its next call as soon as the
// previous one ends, for the warm-up and then the measured window. Only calls that end inside the
// window count, so a run's numbers cover exactly `durationMs` of steady state.
import { type Call, callTimeoutMs } from './callers.js';
import { errorKind } from './error-kind.js';
import { percentile } from './stats.js';

export interface LoopHook {
  /** When to run it, in ms after the measured window starts. */
  readonly atMs: number;
  /** `sinceStart()` tells the time from the window's start now, in ms, to time what the hook does. */
  readonly run: (sinceStart: () => number) => Promise<void>;
}

export interface LoopOptions {
  readonly call: Call;
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly hooks?: readonly LoopHook[];
}

/** A failed call in the window; times in ms from the window's start. */
export interface CallError {
  readonly kind: string;
  readonly startedMs: number;
  readonly endedMs: number;
}

export interface LoopResult {
  readonly calls: number;
  /** Successful calls per second of the window. */
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly errorCount: number;
  readonly errors: Record<string, number>;
  readonly errorLog: readonly CallError[];
  /** Successful calls in the window by the replica that served them. */
  readonly byServer: Record<string, number>;
}

/**
 * After a failed call a loop pauses this long: a call that fails at once (no server available) would
 * otherwise spin, count thousands of errors that say nothing more, and starve the other loops.
 */
const errorPauseMs = 10;
/** Beyond the last call's own timeout: time for the loops to end before the run is declared hung. */
const drainSlackMs = 5_000;

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runClosedLoop(options: LoopOptions): Promise<LoopResult> {
  const start = nowMs() + options.warmupMs;
  const end = start + options.durationMs;
  const latencies: number[] = [];
  const errorLog: CallError[] = [];
  const byServer: Record<string, number> = {};

  const loop = async () => {
    while (nowMs() < end) {
      const startedAt = nowMs();
      try {
        const server = await options.call();
        const endedAt = nowMs();
        if (endedAt >= start && endedAt < end) {
          latencies.push(endedAt - startedAt);
          byServer[server] = (byServer[server] ?? 0) + 1;
        }
      } catch (error) {
        const endedAt = nowMs();
        if (endedAt >= start && endedAt < end)
          errorLog.push({ kind: errorKind(error), startedMs: startedAt - start, endedMs: endedAt - start });
        await pause(errorPauseMs);
      }
    }
  };
  const hooks = (options.hooks ?? []).map((hook) =>
    pause(Math.max(0, start + hook.atMs - nowMs())).then(() => hook.run(() => nowMs() - start)),
  );
  const loops = Array.from({ length: options.concurrency }, loop);
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    const limit = options.warmupMs + options.durationMs + callTimeoutMs + drainSlackMs;
    timer = setTimeout(() => reject(new Error(`closed loop still running after ${limit} ms`)), limit);
  });
  try {
    await Promise.race([Promise.all([...loops, ...hooks]), hung]);
  } finally {
    clearTimeout(timer);
  }
  return summarize(latencies, errorLog, byServer, options.durationMs);
}

function summarize(
  latencies: number[],
  errorLog: CallError[],
  byServer: Record<string, number>,
  durationMs: number,
): LoopResult {
  const sorted = Float64Array.from(latencies).sort();
  const errors: Record<string, number> = {};
  for (const { kind } of errorLog) errors[kind] = (errors[kind] ?? 0) + 1;
  return {
    calls: sorted.length,
    throughput: sorted.length / (durationMs / 1000),
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] ?? Number.NaN),
    errorCount: errorLog.length,
    errors,
    errorLog,
    byServer,
  };
}
