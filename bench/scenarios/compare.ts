// Balancing under load: the same replicas, the same closed-loop load, every client in the same run,
// interleaved per repetition (a different one first each time) so that drift hits all alike.
import { balancedCaller, type Caller, haproxyCaller, type PolicyName } from '../callers.js';
import { runClosedLoop } from '../closed-loop.js';
import { startCluster } from '../cluster.js';
import { fixed, heading } from '../format.js';
import { findHaproxy } from '../haproxy.js';
import { writeResults } from '../results.js';
import type { BenchSettings } from '../settings.js';
import type { TargetCheck } from '../targets.js';
import { type ComparisonRun, printComparison, summarizeComparison } from './compare-report.js';

export interface ComparisonTarget {
  readonly concurrency: number;
  /** Least-busy throughput over HAProxy's, at least. */
  readonly throughputAtLeast: number;
  /** Least-busy p99 over HAProxy's, at most. */
  readonly p99AtMost: number;
}

export interface ComparisonScenario {
  readonly name: string;
  readonly title: string;
  /** Slowness of each replica, `b1` first. */
  readonly mults: readonly number[];
  readonly concurrencies: readonly number[];
  readonly targets: readonly ComparisonTarget[];
}

export const haproxyLabel = 'haproxy leastconn';
export const leastBusyLabel = 'soap-balancer least-busy';
const policies: readonly PolicyName[] = ['least-busy', 'round-robin', 'random'];

/** Seconds one run of the scenario takes with these settings (for the guard timer and the plan). */
export function comparisonSeconds(scenario: ComparisonScenario, settings: BenchSettings): number {
  const variants = policies.length + 1;
  const perRun = settings.warmupS + settings.durationS + 0.5;
  return 10 + scenario.concurrencies.length * settings.reps * variants * perRun;
}

export async function runComparison(
  scenario: ComparisonScenario,
  settings: BenchSettings,
): Promise<readonly TargetCheck[]> {
  console.log(heading(`${scenario.name}: ${scenario.title}`));
  const haproxy = findHaproxy();
  if ('missing' in haproxy) console.log(`SKIP ${haproxyLabel}: ${haproxy.missing}; targets are n/a`);
  const cluster = await startCluster({ mults: scenario.mults, haproxy: 'bin' in haproxy ? {} : undefined });
  const callers: Caller[] = [];
  try {
    const [first] = cluster.backends;
    if (first === undefined) throw new Error('no backend');
    for (const policy of policies) {
      const label = `soap-balancer ${policy}`;
      callers.push(
        await balancedCaller({ label, wsdlUrl: first.wsdlUrl, monitorUrl: cluster.monitorUrl, policy }),
      );
    }
    if (cluster.haproxy !== undefined) callers.push(await haproxyCaller(haproxyLabel, cluster.haproxy.url));
    const runs: ComparisonRun[] = [];
    for (const concurrency of scenario.concurrencies) {
      for (let rep = 0; rep < settings.reps; rep++) {
        // Rotating the order puts each client first in turn: none always gets the freshest replicas.
        const order = callers.map((_, index) => callers[(index + rep) % callers.length] as Caller);
        for (const [position, caller] of order.entries()) {
          const result = await runClosedLoop({
            call: caller.call,
            concurrency,
            warmupMs: settings.warmupS * 1000,
            durationMs: settings.durationS * 1000,
          });
          runs.push({ concurrency, rep: rep + 1, position: position + 1, variant: caller.label, result });
          process.stderr.write(
            `  ${scenario.name} C=${concurrency} rep ${rep + 1}/${settings.reps} ${caller.label}: ` +
              `${fixed(result.throughput, 1)} calls/s, p99 ${fixed(result.p99Ms, 1)} ms, ${result.errorCount} errors\n`,
          );
        }
      }
    }
    const labels = callers.map((caller) => caller.label);
    const summary = summarizeComparison(scenario, runs, labels);
    printComparison(scenario, settings, summary, cluster.backends);
    await writeResults(scenario.name, {
      settings,
      backends: cluster.backends.map(({ name, mult }) => ({ name, mult, capacity: 4 })),
      haproxy: 'bin' in haproxy ? haproxy.bin : null,
      // Flat medians, one row per concurrency and variant: what bench/chart.ts draws.
      results: summary.flatMap(({ concurrency, variants }) =>
        variants.map(({ variant, throughput, p50Ms, p99Ms }) => ({
          concurrency,
          variant,
          throughput,
          p50Ms,
          p99Ms,
        })),
      ),
      summary,
      runs: runs.map(({ result: { errorLog: _, ...result }, ...run }) => ({ ...run, result })),
    });
    return summary.flatMap((entry) => entry.checks);
  } finally {
    for (const caller of callers) await caller.close();
    await cluster.stop();
  }
}
