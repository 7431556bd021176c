// Failover: four identical replicas under a closed-loop load of 8; half-way through the measured
// window one replica is SIGKILLed with calls in flight. Each run starts from a fresh cluster, so every
// variant meets the same kill. Reported: errors by kind, and when the failed calls were sent: before
// the signal or while the replica was dying (its sockets still open: in flight on it when it died,
// unavoidable for a non-idempotent call), or after it had exited (avoidable: a burst).
import { balancedCaller, type Caller, haproxyCaller } from '../callers.js';
import { runClosedLoop } from '../closed-loop.js';
import { type Backend, startCluster } from '../cluster.js';
import { fixed, heading } from '../format.js';
import { findHaproxy, type HaproxyOptions } from '../haproxy.js';
import { writeResults } from '../results.js';
import type { BenchSettings } from '../settings.js';
import type { TargetCheck } from '../targets.js';
import { type FailoverRun, printFailover, summarizeFailover } from './failover-report.js';

export const failoverConcurrency = 8;

export interface FailoverVariant {
  readonly label: string;
  /** soap-balancer: operations marked idempotent; undefined for HAProxy. */
  readonly idempotent?: boolean;
  /** HAProxy variants: its options. */
  readonly haproxy?: HaproxyOptions;
}

const variants: readonly FailoverVariant[] = [
  { label: 'soap-balancer least-busy, idempotent', idempotent: true },
  { label: 'soap-balancer least-busy, not idempotent', idempotent: false },
  { label: 'haproxy leastconn (default: no redispatch)', haproxy: {} },
  { label: 'haproxy leastconn + retries 3, redispatch', haproxy: { redispatch: true } },
];

/** A fresh cluster per run: starting the processes takes a few seconds on a small machine. */
const clusterStartS = 4;

export function failoverSeconds(settings: BenchSettings): number {
  return settings.reps * variants.length * (clusterStartS + settings.warmupS + settings.durationS);
}

/** Calls the replica is serving or queueing, from its own load report, just before it dies. */
async function inFlightOn(backend: Backend): Promise<number> {
  try {
    const response = await fetch(`${backend.url}/soap-balancer/load`, { signal: AbortSignal.timeout(200) });
    const report = (await response.json()) as { inFlight: number; queued: number };
    return report.inFlight + report.queued;
  } catch {
    return Number.NaN; // unknown: the bound then falls back to the concurrency
  }
}

async function runOnce(variant: FailoverVariant, rep: number, settings: BenchSettings): Promise<FailoverRun> {
  const cluster = await startCluster({ mults: [1, 1, 1, 1], haproxy: variant.haproxy });
  let caller: Caller | undefined;
  try {
    const [victim] = cluster.backends;
    if (victim === undefined) throw new Error('no backend');
    if (variant.haproxy === undefined) {
      caller = await balancedCaller({
        label: variant.label,
        wsdlUrl: victim.wsdlUrl,
        monitorUrl: cluster.monitorUrl,
        policy: 'least-busy',
        ...(variant.idempotent ? { idempotent: ['Work'] } : {}),
      });
    } else {
      if (cluster.haproxy === undefined) throw new Error('haproxy did not start');
      caller = await haproxyCaller(variant.label, cluster.haproxy.url);
    }
    let inFlightAtKill = Number.NaN;
    let killAtMs = Number.NaN;
    let diedAtMs = Number.NaN;
    const durationMs = settings.durationS * 1000;
    const result = await runClosedLoop({
      call: caller.call,
      concurrency: failoverConcurrency,
      warmupMs: settings.warmupS * 1000,
      durationMs,
      hooks: [
        {
          atMs: durationMs / 2,
          run: async (sinceStart) => {
            inFlightAtKill = await inFlightOn(victim);
            const exited = new Promise((resolve) => victim.process.once('exit', resolve));
            killAtMs = sinceStart();
            if (victim.process.pid !== undefined) process.kill(victim.process.pid, 'SIGKILL');
            // A killed process keeps its sockets until the kernel has torn it down: calls sent until
            // then reach a server that looks alive. The exit event marks the end of that window.
            await exited;
            diedAtMs = sinceStart();
          },
        },
      ],
    });
    const sentBefore = result.errorLog.filter((error) => error.startedMs < killAtMs).length;
    const sentAfter = result.errorLog.filter((error) => error.startedMs >= diedAtMs).length;
    const lastError = Math.max(...result.errorLog.map((error) => error.endedMs - killAtMs));
    process.stderr.write(
      `  failover rep ${rep} ${variant.label}: ${fixed(result.throughput, 1)} calls/s, ` +
        `${result.errorCount} errors (${sentAfter} sent after b1 exited), ${inFlightAtKill} in flight on b1\n`,
    );
    return {
      variant: variant.label,
      rep,
      result,
      inFlightAtKill,
      killAtMs,
      diedAtMs,
      errorsSentBeforeKill: sentBefore,
      errorsSentWhileDying: result.errorCount - sentBefore - sentAfter,
      errorsSentAfterExit: sentAfter,
      lastErrorAfterKillMs: result.errorLog.length === 0 ? Number.NaN : lastError,
    };
  } finally {
    await caller?.close();
    await cluster.stop();
  }
}

export async function runFailover(settings: BenchSettings): Promise<readonly TargetCheck[]> {
  console.log(heading('failover: one of 4 identical replicas SIGKILLed half-way through, C=8'));
  const haproxy = findHaproxy();
  const selected = variants.filter((variant) => variant.haproxy === undefined || 'bin' in haproxy);
  if ('missing' in haproxy) console.log(`SKIP haproxy variants: ${haproxy.missing}`);
  const runs: FailoverRun[] = [];
  for (let rep = 0; rep < settings.reps; rep++) {
    const order = selected.map((_, index) => selected[(index + rep) % selected.length] as FailoverVariant);
    for (const variant of order) runs.push(await runOnce(variant, rep + 1, settings));
  }
  const summary = summarizeFailover(selected, runs, failoverConcurrency);
  printFailover(settings, runs, summary);
  await writeResults('failover', {
    settings,
    concurrency: failoverConcurrency,
    variants: selected,
    summary,
    runs,
  });
  return summary.checks;
}
