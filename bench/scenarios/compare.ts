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
  /** Slowness of each backend, `b1` first: a call takes 50 ms × mult there. */
  readonly mults: readonly number[];
  readonly steps: readonly LoadStep[];
  /** The policies compared, fed by the monitor. @default all three */
  readonly policies?: readonly PolicyName[];
  /** Also least-busy with the servers alone, no monitor. @default false */
  readonly serversOnly?: boolean;
  /** Whether the backends report their load (else the monitor probes their latency). @default true */
  readonly reporters?: boolean;
}

interface Variant {
  readonly label: string;
  readonly spec: CallerSpec;
}

const allPolicies: readonly PolicyName[] = ['least-busy', 'round-robin', 'random'];

export function comparison(definition: Comparison): Scenario {
  const variants = (definition.policies ?? allPolicies).length + (definition.serversOnly ? 2 : 1);
  const runs = (s: BenchSettings) => definition.steps.length * s.reps * variants;
  return {
    name: definition.name,
    seconds: (s) => 10 + runs(s) * (s.warmupS + s.durationS + 1),
    run: (s) => runComparison(definition, s),
  };
}

async function runComparison(definition: Comparison, settings: BenchSettings) {
  const {
    name,
    title,
    mults,
    steps,
    policies = allPolicies,
    serversOnly = false,
    reporters = true,
  } = definition;
  console.log(heading(`${name}: ${title}`));
  if ('missing' in haproxy) console.log(`SKIP ${haproxyLabel}: ${haproxy.missing}; targets are n/a`);
  console.log(
    `backends ${mults.map((mult, i) => `b${i + 1} ${50 * mult} ms`).join(', ')} a call, 4 slots each, ` +
      (reporters ? 'reporting their load' : 'no load reporters (the monitor probes latency)'),
  );
  const cluster = await startCluster(mults, {}, { reporters });
  // One client per variant and number of processes, shared by the steps, as an app shares its client.
  const loads = new Map<number, Load[]>();
  try {
    const { wsdlUrl = '' } = cluster.backends[0] ?? {};
    const variants: Variant[] = policies.map((policy) => ({
      label: `soap-balancer ${policy}`,
      spec: { kind: 'balanced', wsdlUrl, monitorUrl: cluster.monitorUrl, policy },
    }));
    if (serversOnly) {
      const servers = cluster.backends.map((backend) => backend.url);
      variants.push({
        label: 'soap-balancer servers only',
        spec: { kind: 'balanced', wsdlUrl, servers, policy: 'least-busy' },
      });
    }
    if (cluster.haproxyUrl !== undefined)
      variants.push({ label: haproxyLabel, spec: { kind: 'proxied', proxyUrl: cluster.haproxyUrl } });
    const backends = cluster.backends.map((backend) => backend.name);
    const results = [];
    const checks: TargetCheck[] = [];
    for (const { concurrency, processes = 0, target } of steps) {
      let opened = loads.get(processes);
      if (opened === undefined) {
        opened = [];
        loads.set(processes, opened);
        // One variant after the other: caller processes start faster without the others' start-up.
        for (const variant of variants) opened.push(await openLoad(variant.spec, processes));
      }
      const step = processes ? `P=${processes} x C=${concurrency}` : `C=${concurrency}`;
      const runs = await runStep(step, concurrency, variants, opened, settings);
      const rows = variants.map(({ label }, index) => ({
        concurrency,
        processes,
        ...summarizeVariant(label, runs[index] ?? [], backends),
      }));
      results.push(...rows);
      const base = rows.find((row) => row.variant === haproxyLabel);
      const ratio = (row: (typeof rows)[number] | undefined, key: 'throughput' | 'p99Ms') =>
        (row?.[key] ?? Number.NaN) / (base?.[key] ?? Number.NaN);
      const cells = rows.map((row) => [
        row.variant,
        ...[row.throughput, row.p50Ms, row.p99Ms].map((value) => fixed(value, 1)),
        row.sharePercent.map((share) => fixed(share, 0)).join('/'),
        fixed(ratio(row, 'throughput'), 2),
        fixed(ratio(row, 'p99Ms'), 2),
        formatCounts(row.errors),
      ]);
      const headers = ['variant', 'calls/s', 'p50 ms', 'p99 ms', `% calls ${backends.join('/')}`];
      console.log(`\n${name}, ${step}, median of ${settings.reps} x ${settings.durationS} s\n`);
      console.log(formatTable([...headers, 'calls/s x haproxy', 'p99 x haproxy', 'errors'], cells));
      if (target === undefined) continue;
      const leastBusy = rows.find((row) => row.variant === 'soap-balancer least-busy');
      const [throughputRatio, p99Ratio] = [ratio(leastBusy, 'throughput'), ratio(leastBusy, 'p99Ms')];
      const { throughputAtLeast: least, p99AtMost: most } = target;
      const note = base === undefined ? 'no haproxy to compare with' : '';
      checks.push(
        checkBound(`${step} throughput least-busy/haproxy >= ${least}`, throughputRatio, '>=', least, note),
        checkBound(`${step} p99 least-busy/haproxy <= ${most}`, p99Ratio, '<=', most, note),
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

/** Each variant's load `settings.reps` times, first in turn; the stats by variant, then by repetition. */
async function runStep(
  step: string,
  concurrency: number,
  variants: Variant[],
  loads: Load[],
  settings: BenchSettings,
) {
  const byVariant = variants.map((): LoopStats[] => []);
  const durationMs = settings.durationS * 1000;
  for (let rep = 1; rep <= settings.reps; rep++) {
    for (let position = 0; position < variants.length; position++) {
      const index = (position + rep) % variants.length;
      const startAt = nowMs() + settings.warmupS * 1000;
      const sample = await loads[index]?.run({ concurrency, startAt, durationMs });
      if (sample === undefined) continue;
      const stats = summarize(sample, durationMs);
      byVariant[index]?.push(stats);
      const result = `${fixed(stats.throughput, 1)} calls/s, p99 ${fixed(stats.p99Ms, 1)} ms`;
      process.stderr.write(`  ${step} rep ${rep}/${settings.reps} ${variants[index]?.label}: ${result}\n`);
    }
  }
  return byVariant;
}

/** Medians over the repetitions; the share of calls each backend served, over all of them. */
function summarizeVariant(variant: string, runs: readonly LoopStats[], backends: readonly string[]) {
  const served = sumCounts(runs.map((stats) => stats.byAnswer));
  const calls = runs.reduce((sum, stats) => sum + stats.calls, 0);
  return {
    variant,
    throughput: median(runs.map((stats) => stats.throughput)),
    p50Ms: median(runs.map((stats) => stats.p50Ms)),
    p99Ms: median(runs.map((stats) => stats.p99Ms)),
    sharePercent: backends.map((backend) => (100 * (served[backend] ?? 0)) / calls),
    errors: sumCounts(runs.map((stats) => stats.errors)),
    throughputByRep: runs.map((stats) => stats.throughput),
    p99ByRep: runs.map((stats) => stats.p99Ms),
  };
}
