// Balancing under load: soap-balancer with each policy beside HAProxy leastconn, on the same backends,
// under the same closed-loop load, in the same run, interleaved per repetition (a different variant
// first each time) so that drift hits all alike. A comparison is a pool and a list of load steps.
import { writeResults } from '../harness/results.js';
import type { Scenario } from '../harness/scenario.js';
import type { BenchSettings } from '../harness/settings.js';
import { median, sumCounts } from '../harness/stats.js';
import { fixed, formatCounts, formatTable, heading } from '../harness/table.js';
import { checkBound, printTargets, type TargetCheck } from '../harness/targets.js';
import type { CallerSpec, PolicyName } from '../load/callers.js';
import { startCluster } from '../load/cluster.js';
import { haproxy, haproxyLabel } from '../load/haproxy.js';
import { type Load, type LoopStats, nowMs, openLoad, summarize } from '../load/loop.js';

export interface LoadStep {
  /** Closed loops per caller process (or in the bench process). */
  readonly concurrency: number;
  /** Caller processes, each with its own client; 0 (default): one client in the bench process. */
  readonly processes?: number;
  /** least-busy over HAProxy leastconn: throughput at least, p99 at most. */
  readonly target?: { readonly throughputAtLeast: number; readonly p99AtMost: number };
}

export interface Comparison {
  readonly name: string;
  readonly title: string;
  /** Slowness of each backend, `b1` first. */
  readonly mults: readonly number[];
  readonly steps: readonly LoadStep[];
}

const policies: readonly PolicyName[] = ['least-busy', 'round-robin', 'random'];

export function comparison(definition: Comparison): Scenario {
  const runs = (s: BenchSettings) => definition.steps.length * s.reps * (policies.length + 1);
  return {
    name: definition.name,
    seconds: (s) => 10 + runs(s) * (s.warmupS + s.durationS + 1),
    run: (s) => runComparison(definition, s),
  };
}

async function runComparison({ name, title, mults, steps }: Comparison, settings: BenchSettings) {
  console.log(heading(`${name}: ${title}`));
  if ('missing' in haproxy) console.log(`SKIP ${haproxyLabel}: ${haproxy.missing}; targets are n/a`);
  const cluster = await startCluster(mults, {});
  // One client per variant and number of processes, shared by the load steps, as an app shares its own.
  const loads = new Map<number, Load[]>();
  try {
    const { wsdlUrl = '' } = cluster.backends[0] ?? {};
    const variants: { label: string; spec: CallerSpec }[] = policies.map((policy) => ({
      label: `soap-balancer ${policy}`,
      spec: { kind: 'balanced', wsdlUrl, monitorUrl: cluster.monitorUrl, policy },
    }));
    if (cluster.haproxyUrl !== undefined)
      variants.push({ label: haproxyLabel, spec: { kind: 'proxied', proxyUrl: cluster.haproxyUrl } });
    const backends = cluster.backends.map((backend) => backend.name);
    console.log(
      `backends ${mults.map((mult, i) => `b${i + 1} ${50 * mult} ms`).join(', ')} a call, 4 slots each;`,
    );
    console.log(`median of ${settings.reps} x ${settings.durationS} s, after ${settings.warmupS} s warm-up`);
    const results = [];
    const checks: TargetCheck[] = [];
    for (const { concurrency, processes = 0, target } of steps) {
      const opened =
        loads.get(processes) ?? (await Promise.all(variants.map((v) => openLoad(v.spec, processes))));
      loads.set(processes, opened);
      const label = processes ? `P=${processes} x C=${concurrency}` : `C=${concurrency}`;
      const byVariant = await runStep(
        label,
        concurrency,
        opened,
        variants.map((v) => v.label),
        settings,
      );
      const rows = variants.map((variant, index) => {
        const runs = byVariant[index] ?? [];
        const served = sumCounts(runs.map((stats) => stats.byAnswer));
        const calls = runs.reduce((sum, stats) => sum + stats.calls, 0);
        return {
          concurrency,
          processes,
          variant: variant.label,
          throughput: median(runs.map((stats) => stats.throughput)),
          p50Ms: median(runs.map((stats) => stats.p50Ms)),
          p99Ms: median(runs.map((stats) => stats.p99Ms)),
          sharePercent: backends.map((backend) => (100 * (served[backend] ?? 0)) / calls),
          errors: sumCounts(runs.map((stats) => stats.errors)),
          throughputByRep: runs.map((stats) => stats.throughput),
          p99ByRep: runs.map((stats) => stats.p99Ms),
        };
      });
      results.push(...rows);
      const base = rows.find((row) => row.variant === haproxyLabel);
      const ratio = (row: (typeof rows)[number] | undefined, key: 'throughput' | 'p99Ms') =>
        (row?.[key] ?? Number.NaN) / (base?.[key] ?? Number.NaN);
      console.log(`\n${name}, ${label}\n`);
      const cells = rows.map((row) => [
        row.variant,
        ...[row.throughput, row.p50Ms, row.p99Ms].map((value) => fixed(value, 1)),
        row.sharePercent.map((share) => fixed(share, 0)).join('/'),
        fixed(ratio(row, 'throughput'), 2),
        fixed(ratio(row, 'p99Ms'), 2),
        formatCounts(row.errors),
      ]);
      const headers = ['variant', 'calls/s', 'p50 ms', 'p99 ms', `% calls ${backends.join('/')}`];
      console.log(formatTable([...headers, 'calls/s x haproxy', 'p99 x haproxy', 'errors'], cells));
      if (target === undefined) continue;
      const leastBusy = rows.find((row) => row.variant === 'soap-balancer least-busy');
      const note = base === undefined ? 'no haproxy to compare with' : '';
      const { throughputAtLeast: least, p99AtMost: most } = target;
      checks.push(
        checkBound(
          `${label} throughput least-busy/haproxy >= ${least}`,
          ratio(leastBusy, 'throughput'),
          '>=',
          least,
          note,
        ),
        checkBound(`${label} p99 least-busy/haproxy <= ${most}`, ratio(leastBusy, 'p99Ms'), '<=', most, note),
      );
    }
    printTargets(checks);
    // `results`, one row per load step and variant, is what bench/chart.ts draws.
    await writeResults(name, { settings, mults, results });
    return checks;
  } finally {
    for (const load of [...loads.values()].flat()) await load.close();
    await cluster.stop();
  }
}

/** Each load `settings.reps` times, first in turn; the stats by load, then by repetition. */
async function runStep(
  label: string,
  concurrency: number,
  loads: readonly Load[],
  names: readonly string[],
  settings: BenchSettings,
) {
  const byLoad = loads.map((): LoopStats[] => []);
  const durationMs = settings.durationS * 1000;
  for (let rep = 1; rep <= settings.reps; rep++) {
    for (let position = 0; position < loads.length; position++) {
      const index = (position + rep) % loads.length;
      const startAt = nowMs() + settings.warmupS * 1000;
      const sample = await loads[index]?.run({ concurrency, startAt, durationMs });
      if (sample === undefined) continue;
      const stats = summarize(sample, durationMs);
      byLoad[index]?.push(stats);
      const result = `${fixed(stats.throughput, 1)} calls/s, p99 ${fixed(stats.p99Ms, 1)} ms`;
      process.stderr.write(`  ${label} rep ${rep}/${settings.reps} ${names[index]}: ${result}\n`);
    }
  }
  return byLoad;
}
