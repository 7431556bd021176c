// Failover: four identical backends under a closed-loop load of 8, from a balanced client, through the
// soap-balancer proxy or through HAProxy; half-way through the measured window b1 is SIGKILLed with
// calls in flight. Each run starts from a fresh cluster, so every variant meets the same kill. Failed
// calls are told apart by when they were sent: before the signal or while b1 was dying (its sockets
// still open: in flight on it when it died, unavoidable for a call that is not idempotent), or after it
// had exited (avoidable: a burst while the balancer catches up).
import { writeResults } from '../harness/results.js';
import type { Scenario } from '../harness/scenario.js';
import type { BenchSettings } from '../harness/settings.js';
import { fixed, formatCounts, formatTable, heading } from '../harness/table.js';
import { checkEach, printTargets } from '../harness/targets.js';
import { type Backend, startCluster } from '../load/cluster.js';
import { type HaproxyOptions, haproxy } from '../load/haproxy.js';
import { nowMs, openLoad, sleepUntil, summarize } from '../load/loop.js';
import { buildProxy, startProxyProcess } from '../load/proxy-process.js';

const concurrency = 8;
const variants: readonly {
  label: string;
  idempotent?: boolean;
  haproxy?: HaproxyOptions;
  /** The soap-balancer proxy in front, with these flags (unchanged node-soap clients). */
  proxy?: readonly string[];
}[] = [
  { label: 'soap-balancer least-busy, idempotent', idempotent: true },
  { label: 'soap-balancer least-busy, not idempotent', idempotent: false },
  { label: 'soap-balancer proxy, idempotent', proxy: ['--idempotent', 'Add'] },
  { label: 'soap-balancer proxy, not idempotent', proxy: [] },
  { label: 'haproxy leastconn (default: no redispatch)', haproxy: {} },
  { label: 'haproxy leastconn + retries 3, redispatch', haproxy: { redispatch: true } },
];
type Variant = (typeof variants)[number];
type Run = Awaited<ReturnType<typeof runOnce>>;

export const failover: Scenario = {
  name: 'failover',
  // A fresh cluster per run: starting its processes takes a few seconds on a small machine.
  seconds: (s) => s.reps * variants.length * (4 + s.warmupS + s.durationS),
  run: runFailover,
};

/** Calls b1 is serving or queueing, by its own load report, just before it dies; NaN if unknown. */
async function inFlightOn(backend: Backend): Promise<number> {
  try {
    const response = await fetch(`${backend.url}/soap-balancer/load`, { signal: AbortSignal.timeout(200) });
    const report = (await response.json()) as { inFlight: number; queued: number };
    return report.inFlight + report.queued;
  } catch {
    return Number.NaN;
  }
}

async function runOnce(variant: Variant, rep: number, settings: BenchSettings) {
  const cluster = await startCluster([1, 1, 1, 1], variant.haproxy);
  try {
    const [b1] = cluster.backends;
    if (b1 === undefined) throw new Error('no backend');
    const { monitorUrl, haproxyUrl } = cluster;
    const idempotent = variant.idempotent ?? false;
    const proxy =
      variant.proxy === undefined
        ? undefined
        : await startProxyProcess(cluster.backends, ['--monitor', monitorUrl, ...variant.proxy]);
    const proxyUrl = haproxyUrl ?? proxy?.url;
    const load = await openLoad(
      proxyUrl === undefined
        ? { kind: 'balanced', wsdlUrl: b1.wsdlUrl, monitorUrl, policy: 'least-busy', idempotent }
        : { kind: 'proxied', proxyUrl },
    ).catch(async (error: unknown) => {
      await proxy?.proc.stop();
      throw error;
    });
    const durationMs = settings.durationS * 1000;
    const startAt = nowMs() + settings.warmupS * 1000;
    const kill = async () => {
      await sleepUntil(startAt + durationMs / 2);
      const inFlightAtKill = await inFlightOn(b1);
      const killAtMs = nowMs() - startAt;
      // A killed process keeps its sockets until the kernel has torn it down: calls sent until then
      // reach a server that looks alive. Its exit marks the end of that time.
      await b1.proc.stop();
      return { inFlightAtKill, killAtMs, diedAtMs: nowMs() - startAt };
    };
    const [sample, killed] = await Promise.all([
      load.run({ concurrency, startAt, durationMs }),
      kill(),
    ]).finally(async () => {
      await load.close();
      await proxy?.proc.stop();
    });
    const stats = summarize(sample, durationMs);
    const sentBefore = sample.errors.filter((error) => error.startedMs < killed.killAtMs).length;
    const sentAfterExit = sample.errors.filter((error) => error.startedMs >= killed.diedAtMs).length;
    const sentWhileDying = stats.errorCount - sentBefore - sentAfterExit;
    process.stderr.write(
      `  rep ${rep} ${variant.label}: ${stats.errorCount} errors, ${sentAfterExit} after b1 exited\n`,
    );
    const { throughput, p99Ms, errorCount: errors, errors: kinds } = stats;
    return {
      variant: variant.label,
      rep,
      ...killed,
      throughput,
      p99Ms,
      errors,
      kinds,
      sentBefore,
      sentWhileDying,
      sentAfterExit,
    };
  } finally {
    await cluster.stop();
  }
}

async function runFailover(settings: BenchSettings) {
  console.log(heading(`failover: one of 4 identical backends SIGKILLed half-way through, C=${concurrency}`));
  if ('missing' in haproxy) console.log(`SKIP haproxy variants: ${haproxy.missing}`);
  const selected = variants.filter((variant) => variant.haproxy === undefined || 'bin' in haproxy);
  buildProxy();
  const runs: Run[] = [];
  for (let rep = 1; rep <= settings.reps; rep++)
    for (let position = 0; position < selected.length; position++)
      runs.push(await runOnce(selected[(position + rep) % selected.length] as Variant, rep, settings));
  runs.sort((a, b) => a.variant.localeCompare(b.variant) || a.rep - b.rep);
  console.log(
    `\nb1 SIGKILLed half-way through each ${settings.durationS} s window. 'in flight b1': calls it was serving or` +
      `\nqueueing just before, by its own load report. Failed calls by when they were sent: before the` +
      `\nsignal, while b1 was dying ('dying ms', from the signal to its exit), after its exit\n`,
  );
  const rows = runs.map((run) => [
    run.variant,
    run.rep,
    fixed(run.throughput, 1),
    fixed(run.p99Ms, 1),
    fixed(run.inFlightAtKill, 0),
    fixed(run.diedAtMs - run.killAtMs, 1),
    ...[run.errors, run.sentBefore, run.sentWhileDying, run.sentAfterExit],
    formatCounts(run.kinds),
  ]);
  const headers = ['variant', 'rep', 'calls/s', 'p99 ms', 'in flight b1', 'dying ms', 'errors'];
  console.log(formatTable([...headers, 'sent before', 'sent dying', 'sent after exit', 'error kinds'], rows));
  const of = (index: number) => runs.filter((run) => run.variant === variants[index]?.label);
  // b1's own count just before the signal (else the most that can be in flight anywhere), plus the
  // calls that reached it while it was dying: all were in flight on b1 when it died.
  const bound = (run: Run) =>
    (Number.isNaN(run.inFlightAtKill) ? concurrency : run.inFlightAtKill) + run.sentWhileDying;
  const checks = [0, 2].flatMap((first) => {
    const who = first === 0 ? '' : 'proxy, ';
    return [
      checkEach(
        `${who}idempotent: 0 errors`,
        of(first),
        (run) => run.errors,
        (run) => run.errors === 0,
      ),
      checkEach(
        `${who}not idempotent: errors <= calls in flight on b1 when it died`,
        of(first + 1),
        (run) => `${run.errors}<=${bound(run)}`,
        (run) => run.errors <= bound(run),
        'its load report at SIGKILL + calls sent until its exit',
      ),
      ...['idempotent', 'not idempotent'].map((which, index) =>
        checkEach(
          `${who}${which}: 0 errors on calls sent after b1 exited`,
          of(first + index),
          (run) => run.sentAfterExit,
          (run) => run.sentAfterExit === 0,
          'no burst while the monitor catches up',
        ),
      ),
    ];
  });
  printTargets(checks);
  await writeResults('failover', { settings, concurrency, runs });
  return checks;
}
