// Proxy mode: soap-balancer's proxy (the CLI, its own process) beside HAProxy leastconn as the proxy in
// front of the same backends, both called by unchanged node-soap clients. A heterogeneous pool (b1 5x
// slower) at C=8 and C=32; then, with one backend of no delay, the latency each proxy adds at p50 to a
// trivial call against calling the backend directly. The proxy's CPU per call is read from /proc. The
// proxy runs as shipped, from dist/ (built first): tsx's loader alone costs it ~40% more CPU per call.
import { cpuSecondsOf } from '../harness/processes.js';
import { writeResults } from '../harness/results.js';
import type { Scenario } from '../harness/scenario.js';
import type { BenchSettings } from '../harness/settings.js';
import { median, sumCounts } from '../harness/stats.js';
import { fixed, formatCounts, formatTable, heading } from '../harness/table.js';
import { checkBound, printTargets, type TargetCheck } from '../harness/targets.js';
import type { CallerSpec } from '../load/callers.js';
import { type Backend, startCluster } from '../load/cluster.js';
import { haproxy, haproxyLabel } from '../load/haproxy.js';
import { type Load, nowMs, openLoad, sleepUntil, summarize } from '../load/loop.js';
import { buildProxy, startProxyProcess } from '../load/proxy-process.js';

const proxyLabel = 'soap-balancer proxy';

interface Variant {
  readonly label: string;
  readonly spec: CallerSpec;
  /** The process whose CPU per call is reported. */
  readonly pid?: number;
}

interface Run {
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly byAnswer: Readonly<Record<string, number>>;
  /** CPU of `pid` over the measured window, µs per successful call. */
  readonly cpuUsPerCall: number;
}

/** Each variant `reps` times at `concurrency`, a different one first each repetition. */
async function measure(
  variants: readonly Variant[],
  loads: readonly Load[],
  concurrency: number,
  s: BenchSettings,
) {
  const runs = variants.map((): Run[] => []);
  const durationMs = s.durationS * 1000;
  for (let rep = 1; rep <= s.reps; rep++) {
    for (let position = 0; position < variants.length; position++) {
      const index = (position + rep) % variants.length;
      const variant = variants[index] as Variant;
      const startAt = nowMs() + s.warmupS * 1000;
      const cpuAtStart = (async () => {
        await sleepUntil(startAt);
        return variant.pid === undefined ? Number.NaN : cpuSecondsOf(variant.pid);
      })();
      const sample = await (loads[index] as Load).run({ concurrency, startAt, durationMs });
      const cpuS =
        variant.pid === undefined ? Number.NaN : (await cpuSecondsOf(variant.pid)) - (await cpuAtStart);
      const stats = summarize(sample, durationMs);
      runs[index]?.push({ ...stats, cpuUsPerCall: (cpuS * 1e6) / stats.calls });
      process.stderr.write(
        `  C=${concurrency} rep ${rep}/${s.reps} ${variant.label}: ${fixed(stats.throughput, 1)} calls/s, p99 ${fixed(stats.p99Ms, 1)} ms\n`,
      );
    }
  }
  return variants.map(({ label }, index) => {
    const of = (key: 'throughput' | 'p50Ms' | 'p99Ms' | 'cpuUsPerCall') =>
      median((runs[index] ?? []).map((run) => run[key]));
    const errors = sumCounts((runs[index] ?? []).map((run) => run.errors));
    const served = sumCounts((runs[index] ?? []).map((run) => run.byAnswer));
    const calls = Object.values(served).reduce((sum, count) => sum + count, 0);
    const sharePercent = Object.keys(served)
      .sort()
      .map((backend) => `${backend} ${fixed((100 * (served[backend] ?? 0)) / calls, 0)}`)
      .join(' ');
    return {
      variant: label,
      concurrency,
      throughput: of('throughput'),
      p50Ms: of('p50Ms'),
      p99Ms: of('p99Ms'),
      cpuUsPerCall: of('cpuUsPerCall'),
      sharePercent,
      errors,
    };
  });
}

type Row = Awaited<ReturnType<typeof measure>>[number];

function print(title: string, rows: readonly Row[], baseLabel: string): void {
  const base = rows.find((row) => row.variant === baseLabel);
  const cells = rows.map((row) => [
    row.variant,
    fixed(row.throughput, 1),
    fixed(row.p50Ms, 2),
    fixed(row.p99Ms, 1),
    fixed(row.throughput / (base?.throughput ?? Number.NaN), 2),
    fixed(row.p99Ms / (base?.p99Ms ?? Number.NaN), 2),
    fixed(row.cpuUsPerCall, 0),
    row.sharePercent,
    formatCounts(row.errors),
  ]);
  console.log(`\n${title}\n`);
  const headers = ['variant', 'calls/s', 'p50 ms', 'p99 ms', `calls/s x ${baseLabel}`, `p99 x ${baseLabel}`];
  console.log(formatTable([...headers, 'proxy CPU µs/call', '% calls by backend', 'errors'], cells));
}

async function runProxyScenario(s: BenchSettings): Promise<readonly TargetCheck[]> {
  console.log(
    heading('proxy: soap-balancer proxy vs HAProxy leastconn as the proxy, unchanged node-soap clients'),
  );
  if ('missing' in haproxy) console.log(`SKIP ${haproxyLabel}: ${haproxy.missing}; ratios are n/a`);
  const checks: TargetCheck[] = [];
  const results: Row[] = [];

  // 1. Heterogeneous pool: b1 250 ms a call, the others 50 ms, 4 slots each.
  const mults = [5, 1, 1, 1];
  console.log(
    `\nbackends ${mults.map((mult, i) => `b${i + 1} ${50 * mult} ms`).join(', ')} a call, 4 slots each`,
  );
  buildProxy();
  const cluster = await startCluster(mults, {});
  const proxy = await startProxyProcess(cluster.backends);
  // The same, fed the backends' reported load by the cluster's monitor.
  const monitored = await startProxyProcess(cluster.backends, ['--monitor', cluster.monitorUrl]);
  const loads: Load[] = [];
  try {
    const variants: Variant[] = [
      { label: proxyLabel, spec: { kind: 'soap-proxy', proxyUrl: proxy.url }, pid: proxy.proc.pid },
      {
        label: `${proxyLabel} + monitor`,
        spec: { kind: 'soap-proxy', proxyUrl: monitored.url },
        pid: monitored.proc.pid,
      },
    ];
    if (cluster.haproxyUrl !== undefined)
      variants.push({ label: haproxyLabel, spec: { kind: 'proxied', proxyUrl: cluster.haproxyUrl } });
    for (const variant of variants) loads.push(await openLoad(variant.spec));
    for (const concurrency of [8, 32]) {
      const rows = await measure(variants, loads, concurrency, s);
      results.push(...rows);
      print(`heterogeneous, C=${concurrency}, median of ${s.reps} x ${s.durationS} s`, rows, haproxyLabel);
      // The issue's targets, for the proxy with its servers alone and fed by the monitor.
      const theirs = rows.find((row) => row.variant === haproxyLabel);
      for (const ours of rows.filter((row) => row.variant !== haproxyLabel)) {
        checks.push(
          checkBound(
            `heterogeneous C=${concurrency} throughput ${ours.variant}/haproxy >= 1`,
            ours.throughput / (theirs?.throughput ?? Number.NaN),
            '>=',
            1,
          ),
          checkBound(
            `heterogeneous C=${concurrency} p99 ${ours.variant}/haproxy <= 0.6`,
            ours.p99Ms / (theirs?.p99Ms ?? Number.NaN),
            '<=',
            0.6,
          ),
        );
      }
    }
  } finally {
    for (const load of loads.splice(0)) await load.close();
    await proxy.proc.stop();
    await monitored.proc.stop();
    await cluster.stop();
  }

  // 2. Latency added to a trivial call (no delay on the backend), one caller, one backend.
  const trivial = await startCluster([0], {});
  const trivialProxy = await startProxyProcess(trivial.backends);
  try {
    const backend = trivial.backends[0] as Backend;
    const variants: Variant[] = [
      { label: 'direct', spec: { kind: 'proxied', proxyUrl: backend.url } },
      {
        label: proxyLabel,
        spec: { kind: 'soap-proxy', proxyUrl: trivialProxy.url },
        pid: trivialProxy.proc.pid,
      },
    ];
    if (trivial.haproxyUrl !== undefined)
      variants.push({ label: haproxyLabel, spec: { kind: 'proxied', proxyUrl: trivial.haproxyUrl } });
    for (const variant of variants) loads.push(await openLoad(variant.spec));
    const rows = await measure(variants, loads, 1, s);
    results.push(...rows);
    print(
      `trivial Add, one backend of no delay, C=1, median of ${s.reps} x ${s.durationS} s`,
      rows,
      'direct',
    );
    const direct = rows[0]?.p50Ms ?? Number.NaN;
    for (const row of rows.slice(1))
      console.log(`${row.variant} adds ${fixed((row.p50Ms - direct) * 1000, 0)} µs at p50`);
    const added = (rows[1]?.p50Ms ?? Number.NaN) - direct;
    const haproxyAdded = (rows[2]?.p50Ms ?? Number.NaN) - direct;
    checks.push(
      checkBound(
        'trivial p50 added by the proxy (µs) <= 2 x haproxy',
        added * 1000,
        '<=',
        2 * haproxyAdded * 1000,
      ),
    );
  } finally {
    for (const load of loads.splice(0)) await load.close();
    await trivialProxy.proc.stop();
    await trivial.stop();
  }
  printTargets(checks);
  await writeResults('proxy', { settings: s, results });
  return checks;
}

export const proxy: Scenario = {
  name: 'proxy',
  // Two heterogeneous steps of three variants and one trivial step of three, plus build and start-ups.
  seconds: (s) => 40 + 9 * s.reps * (s.warmupS + s.durationS + 1),
  run: runProxyScenario,
};
