// Failover: four identical backends under a closed-loop load of 8; half-way through the measured
// window b1 is SIGKILLed with calls in flight. Each run starts from a fresh cluster, so every variant
// meets the same kill. Failed calls are told apart by when they were sent: before the signal or while
// b1 was dying (its sockets still open: in flight on it when it died, unavoidable for a call that is
// not idempotent), or after it had exited (avoidable: a burst while the balancer catches up).
import { writeResults } from '../harness/results.js';
import type { Scenario } from '../harness/scenario.js';
import type { BenchSettings } from '../harness/settings.js';
import { fixed, formatCounts, formatTable, heading } from '../harness/table.js';
import { checkAll, printTargets, type TargetCheck } from '../harness/targets.js';
import { type Backend, startCluster } from '../load/cluster.js';
import { type HaproxyOptions, haproxy } from '../load/haproxy.js';
import { nowMs, openLoad, sleepUntil, summarize } from '../load/loop.js';

const concurrency = 8;

interface Variant {
  readonly label: string;
  /** soap-balancer: whether `Work` is marked idempotent. */
  readonly idempotent?: boolean;
  /** HAProxy variants: its options. */
  readonly haproxy?: HaproxyOptions;
}

const variants: readonly Variant[] = [
  { label: 'soap-balancer least-busy, idempotent', idempotent: true },
  { label: 'soap-balancer least-busy, not idempotent', idempotent: false },
  { label: 'haproxy leastconn (default: no redispatch)', haproxy: {} },
  { label: 'haproxy leastconn + retries 3, redispatch', haproxy: { redispatch: true } },
];

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
    const load = await openLoad(
      cluster.haproxyUrl === undefined
        ? {
            kind: 'balanced',
            wsdlUrl: b1.wsdlUrl,
            monitorUrl: cluster.monitorUrl,
            policy: 'least-busy',
            idempotent: variant.idempotent ?? false,
          }
        : { kind: 'proxied', proxyUrl: cluster.haproxyUrl },
    );
    try {
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
      const [sample, killed] = await Promise.all([load.run({ concurrency, startAt, durationMs }), kill()]);
      const stats = summarize(sample, durationMs);
      const sentBefore = sample.errors.filter((error) => error.startedMs < killed.killAtMs).length;
      const sentAfterExit = sample.errors.filter((error) => error.startedMs >= killed.diedAtMs).length;
      const run = {
        variant: variant.label,
        rep,
        ...killed,
        throughput: stats.throughput,
        p99Ms: stats.p99Ms,
        errors: stats.errorCount,
        errorKinds: stats.errors,
        sentBefore,
        sentWhileDying: stats.errorCount - sentBefore - sentAfterExit,
        sentAfterExit,
      };
      process.stderr.write(
        `  failover rep ${rep} ${variant.label}: ${run.errors} errors, ${sentAfterExit} after b1 exited\n`,
      );
      return run;
    } finally {
      await load.close();
    }
  } finally {
    await cluster.stop();
  }
}

async function runFailover(settings: BenchSettings): Promise<TargetCheck[]> {
  console.log(heading(`failover: one of 4 identical backends SIGKILLed half-way through, C=${concurrency}`));
  if ('missing' in haproxy) console.log(`SKIP haproxy variants: ${haproxy.missing}`);
  const selected = variants.filter((variant) => variant.haproxy === undefined || 'bin' in haproxy);
  const runs = [];
  for (let rep = 1; rep <= settings.reps; rep++) {
    for (let position = 0; position < selected.length; position++) {
      const variant = selected[(position + rep) % selected.length] as Variant;
      runs.push(await runOnce(variant, rep, settings));
    }
  }
  runs.sort((a, b) => a.variant.localeCompare(b.variant) || a.rep - b.rep);
  console.log(
    `\nb1 SIGKILLed ${settings.durationS / 2} s into each ${settings.durationS} s window (after ${settings.warmupS} s warm-up).` +
      `\n'in flight b1': calls b1 was serving or queueing just before the signal, by its own load report;` +
      `\nfailed calls by when they were sent: before the signal, while b1 was dying ('dying ms'), after its exit\n`,
  );
  const headers = ['variant', 'rep', 'calls/s', 'p99 ms', 'in flight b1', 'dying ms', 'errors'];
  const rows = runs.map((run) => [
    run.variant,
    run.rep,
    fixed(run.throughput, 1),
    fixed(run.p99Ms, 1),
    fixed(run.inFlightAtKill, 0),
    fixed(run.diedAtMs - run.killAtMs, 1),
    run.errors,
    run.sentBefore,
    run.sentWhileDying,
    run.sentAfterExit,
    formatCounts(run.errorKinds),
  ]);
  console.log(formatTable([...headers, 'sent before', 'sent dying', 'sent after exit', 'error kinds'], rows));
  const checks: TargetCheck[] = [];
  for (const idempotent of [true, false]) {
    const own = runs.filter((run) => run.variant === variants[idempotent ? 0 : 1]?.label);
    const errors = own.map((run) => run.errors).join(' ');
    if (idempotent) {
      checks.push(
        checkAll(
          'idempotent: 0 errors',
          errors,
          own.map((run) => run.errors === 0),
          'errors per rep',
        ),
      );
    } else {
      // b1's own count just before the signal (else the most that can be in flight anywhere), plus the
      // calls that reached it while it was dying: all were in flight on b1 when it died.
      const bound = own.map(
        (run) => (Number.isNaN(run.inFlightAtKill) ? concurrency : run.inFlightAtKill) + run.sentWhileDying,
      );
      const passes = own.map((run, index) => run.errors <= (bound[index] ?? 0));
      checks.push(
        checkAll(
          'not idempotent: errors <= calls in flight on b1 when it died',
          `${errors} <= ${bound.join(' ')}`,
          passes,
          'its load report at SIGKILL + calls sent until its exit',
        ),
      );
    }
    const after = own.map((run) => run.sentAfterExit);
    const which = idempotent ? 'idempotent' : 'not idempotent';
    checks.push(
      checkAll(
        `${which}: 0 errors on calls sent after b1 exited`,
        after.join(' '),
        after.map((n) => n === 0),
        'no burst while the monitor catches up',
      ),
    );
  }
  printTargets(checks);
  await writeResults('failover', { settings, concurrency, variants: selected, runs });
  return checks;
}
