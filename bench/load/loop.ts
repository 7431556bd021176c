// A closed-loop load: `concurrency` loops share one caller, each starting its next call as soon as the
// previous one ends, until the measured window ends. Before the window is the warm-up; only calls that
// end inside it count, so that the numbers cover exactly that steady state. A load runs in this process
// or in N caller processes (each its own client and loops), with the same loop and one merged sample:
// times are epoch ms from `performance.timeOrigin`, one clock for all processes.
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isSoapBalancerError } from '../../src/index.js';
import { startNode } from '../harness/processes.js';
import { countBy, percentile, sumCounts } from '../harness/stats.js';
import { type CallerSpec, openCaller } from './callers.js';

export interface Window {
  /** Loops per process. */
  readonly concurrency: number;
  /** When the measured window starts, epoch ms: `nowMs()` plus the warm-up. */
  readonly startAt: number;
  readonly durationMs: number;
}

/** A failed call; times in ms from the window's start. */
export interface CallError {
  readonly kind: string;
  readonly startedMs: number;
  readonly endedMs: number;
}

/** What the loops saw in the window, raw, so that the samples of several processes merge exactly. */
export interface Sample {
  readonly latenciesMs: readonly number[];
  readonly errors: readonly CallError[];
  /** Successful calls by what they resolved with (the backend that served them). */
  readonly byAnswer: Readonly<Record<string, number>>;
}

export interface Load {
  run(window: Window): Promise<Sample>;
  close(): Promise<void>;
}

export const nowMs = (): number => performance.timeOrigin + performance.now();
export const sleepUntil = (epochMs: number) => sleep(Math.max(0, epochMs - nowMs()));
const callerScript = fileURLToPath(new URL('./caller-process.ts', import.meta.url));

export async function runClosedLoop(call: () => Promise<string>, window: Window): Promise<Sample> {
  const { startAt } = window;
  const end = startAt + window.durationMs;
  const latenciesMs: number[] = [];
  const errors: CallError[] = [];
  const byAnswer: Record<string, number> = {};
  const loop = async () => {
    while (nowMs() < end) {
      const startedAt = nowMs();
      try {
        const answer = await call();
        const endedAt = nowMs();
        if (endedAt < startAt || endedAt >= end) continue;
        latenciesMs.push(endedAt - startedAt);
        byAnswer[answer] = (byAnswer[answer] ?? 0) + 1;
      } catch (error) {
        const endedAt = nowMs();
        if (endedAt >= startAt && endedAt < end)
          errors.push({
            kind: errorKind(error),
            startedMs: startedAt - startAt,
            endedMs: endedAt - startAt,
          });
        // A call that fails at once (no server available) must not spin and starve the other loops.
        await sleep(10);
      }
    }
  };
  await Promise.all(Array.from({ length: window.concurrency }, loop));
  return { latenciesMs, errors, byAnswer };
}

/** `processes` 0: the loops run here; else in that many caller processes, each with its own client. */
export async function openLoad(spec: CallerSpec, processes = 0): Promise<Load> {
  if (processes === 0) {
    const caller = await openCaller(spec);
    return { run: (window) => runClosedLoop(caller.call, window), close: () => caller.close() };
  }
  const procs = Array.from({ length: processes }, (_, i) =>
    startNode(`caller ${i + 1}`, callerScript, [JSON.stringify(spec)]),
  );
  const close = async () => {
    for (const proc of procs) await proc.stop();
  };
  // Each prints a line once its client is open; starting node and tsx takes a few seconds on a busy machine.
  await Promise.all(procs.map((proc) => proc.nextLine(60_000))).catch(async (error: unknown) => {
    await close();
    throw error;
  });
  const run = async (window: Window) => {
    for (const proc of procs) proc.send(JSON.stringify(window));
    const timeoutMs = window.startAt + window.durationMs - nowMs() + 30_000;
    const samples: Sample[] = await Promise.all(
      procs.map(async (proc) => JSON.parse(await proc.nextLine(timeoutMs))),
    );
    return {
      latenciesMs: samples.flatMap((sample) => sample.latenciesMs),
      errors: samples.flatMap((sample) => sample.errors),
      byAnswer: sumCounts(samples.map((sample) => sample.byAnswer)),
    };
  };
  return { run, close };
}

export type LoopStats = ReturnType<typeof summarize>;

export function summarize(sample: Sample, durationMs: number) {
  const sorted = Float64Array.from(sample.latenciesMs).sort();
  return {
    calls: sorted.length,
    /** Successful calls per second of the window. */
    throughput: sorted.length / (durationMs / 1000),
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    errorCount: sample.errors.length,
    /** Failed calls by kind. */
    errors: countBy(sample.errors.map((error) => error.kind)),
    byAnswer: sample.byAnswer,
  };
}

/** soap-balancer's stable code, else the HTTP status or socket error code: what failed, countable. */
function errorKind(error: unknown): string {
  if (isSoapBalancerError(error)) return error.code;
  const { response, code } = (error ?? {}) as { response?: { status?: unknown }; code?: unknown };
  if (typeof response?.status === 'number') return `HTTP ${response.status}`;
  if (typeof code === 'string' && code !== '') return code;
  // Numbers (ports, timings) would make every message its own kind.
  return error instanceof Error
    ? `${error.name}: ${error.message.replace(/\d+/g, 'N').slice(0, 48)}`
    : String(error);
}
