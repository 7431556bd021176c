// A closed-loop load: `concurrency` loops share one caller, each starting its next call as soon as the
// previous one ends, until the measured window ends. Before the window is the warm-up; only calls that
// end inside it count, so that a run's numbers cover exactly that steady state. A load runs in this
// process or in N caller processes (each its own client and `concurrency` loops), with the same loop
// and one merged sample: times are epoch ms from `performance.timeOrigin`, one clock for all processes.
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isSoapBalancerError } from '../../src/index.js';
import { startNode } from '../harness/processes.js';
import { countBy, percentile, sumCounts } from '../harness/stats.js';
import { type CallerSpec, openCaller } from './callers.js';

export interface Window {
  /** Loops per process. */
  readonly concurrency: number;
  /** When the measured window starts, epoch ms (`nowMs()` plus the warm-up). */
  readonly startAt: number;
  readonly durationMs: number;
}

/** A failed call in the window; times in ms from the window's start. */
export interface CallError {
  readonly kind: string;
  readonly startedMs: number;
  readonly endedMs: number;
}

/** What the loops saw in the window, raw, so that the samples of several processes merge exactly. */
export interface Sample {
  readonly latenciesMs: readonly number[];
  readonly errors: readonly CallError[];
  /** Successful calls by the backend that served them. */
  readonly byServer: Readonly<Record<string, number>>;
}

export interface Load {
  run(window: Window): Promise<Sample>;
  close(): Promise<void>;
}

export const nowMs = (): number => performance.timeOrigin + performance.now();
export const sleepUntil = (epochMs: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, epochMs - nowMs())));
/** A call that fails at once (no server available) must not spin and starve the other loops. */
const errorPauseMs = 10;
const callerScript = fileURLToPath(new URL('./caller-process.ts', import.meta.url));

export async function runClosedLoop(call: () => Promise<string>, window: Window): Promise<Sample> {
  const { startAt } = window;
  const end = startAt + window.durationMs;
  const latenciesMs: number[] = [];
  const errors: CallError[] = [];
  const byServer: Record<string, number> = {};
  const loop = async () => {
    while (nowMs() < end) {
      const startedAt = nowMs();
      try {
        const server = await call();
        const endedAt = nowMs();
        if (endedAt < startAt || endedAt >= end) continue;
        latenciesMs.push(endedAt - startedAt);
        byServer[server] = (byServer[server] ?? 0) + 1;
      } catch (error) {
        const endedAt = nowMs();
        if (endedAt >= startAt && endedAt < end)
          errors.push({ kind: errorKind(error), startedMs: startedAt - startAt, endedMs: endedAt - startAt });
        await sleep(errorPauseMs);
      }
    }
  };
  await Promise.all(Array.from({ length: window.concurrency }, loop));
  return { latenciesMs, errors, byServer };
}

/** `processes` 0: the loops run here; else in that many caller processes, each with its own client. */
export async function openLoad(spec: CallerSpec, processes = 0): Promise<Load> {
  if (processes === 0) {
    const caller = await openCaller(spec);
    return { run: (window) => runClosedLoop(caller.call, window), close: () => caller.close() };
  }
  const procs = Array.from({ length: processes }, (_, index) =>
    startNode(`caller ${index + 1}`, callerScript, [JSON.stringify(spec)]),
  );
  const close = async () => {
    for (const proc of procs) await proc.stop();
  };
  // Each prints a line once its client is open.
  await Promise.all(procs.map((proc) => proc.nextLine(60_000))).catch(async (error: unknown) => {
    await close();
    throw error;
  });
  return {
    async run(window) {
      for (const proc of procs) proc.send(JSON.stringify(window));
      const timeoutMs = window.startAt + window.durationMs - nowMs() + 30_000;
      const samples = await Promise.all(
        procs.map(async (proc) => JSON.parse(await proc.nextLine(timeoutMs))),
      );
      return mergeSamples(samples as Sample[]);
    },
    close,
  };
}

function mergeSamples(samples: readonly Sample[]): Sample {
  return {
    latenciesMs: samples.flatMap((sample) => sample.latenciesMs),
    errors: samples.flatMap((sample) => sample.errors),
    byServer: sumCounts(samples.map((sample) => sample.byServer)),
  };
}

export interface LoopStats {
  readonly calls: number;
  /** Successful calls per second of the window. */
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly errorCount: number;
  /** Failed calls by kind. */
  readonly errors: Record<string, number>;
  readonly byServer: Readonly<Record<string, number>>;
}

export function summarize(sample: Sample, durationMs: number): LoopStats {
  const sorted = Float64Array.from(sample.latenciesMs).sort();
  return {
    calls: sorted.length,
    throughput: sorted.length / (durationMs / 1000),
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: percentile(sorted, 1),
    errorCount: sample.errors.length,
    errors: countBy(sample.errors.map((error) => error.kind)),
    byServer: sample.byServer,
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
