// `etcd-propagation`: one etcd member, 100 clients watching it (status sources feeding Balancers, in
// this process), replicas publishing through their reporters' etcd writers (a stub process). Measures
// the write rate per replica when every look finds a change (target <= 1/s), the client CPU per change
// applied (and what 1,000 replicas x 100 clients would take at that rate), how long a drain takes to
// be written (target <= 100 ms) and to reach all 100 clients, and how long a SIGKILLed replica takes
// to leave all 100 clients (both targets: within the lease TTL).
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { cpuSecondsOf, startNode } from '../harness/processes.js';
import { writeResults } from '../harness/results.js';
import type { Scenario } from '../harness/scenario.js';
import type { BenchSettings } from '../harness/settings.js';
import { median } from '../harness/stats.js';
import { fixed, formatTable, heading } from '../harness/table.js';
import { checkBound, checkEach, printTargets } from '../harness/targets.js';
import { startEtcd } from '../load/etcd.js';
import { startWatchers, trackEvents } from '../load/etcd-watchers.js';

const clients = 100;
const replicas = 50;
const leaseTtlS = 2;
const prefix = '/soap-balancer/v1/bench/';
const stubScript = fileURLToPath(new URL('./etcd-propagation-stub.ts', import.meta.url));
const windowS = (s: BenchSettings) => Math.max(3, Math.ceil(s.durationS));

export const etcdPropagation: Scenario = {
  name: 'etcd-propagation',
  seconds: (s) => 17 + windowS(s) + s.reps * (leaseTtlS + 3),
  run: runEtcdPropagation,
};

async function runEtcdPropagation(settings: BenchSettings) {
  console.log(
    heading(`etcd-propagation: ${replicas} replicas, ${clients} watching clients, lease TTL ${leaseTtlS} s`),
  );
  const etcd = await startEtcd();
  const watchers = await startWatchers(etcd.url, prefix, clients);
  const lastToSee = trackEvents(watchers);
  try {
    // The clients' own cost with nothing changing (heartbeats), subtracted from the cost of changes.
    const [idleCpuBefore, idleStartedAt] = [process.cpuUsage(), performance.now()];
    await sleep(2_000);
    const idleCpu = process.cpuUsage(idleCpuBefore);
    const idleCores = (idleCpu.user + idleCpu.system) / 1e3 / (performance.now() - idleStartedAt);

    const allJoined = Promise.all(
      Array.from({ length: replicas }, (_, i) => lastToSee(`http://127.0.0.1:1/busy${i}`, 'serverAdded')),
    );
    const busy = startNode('etcd replicas', stubScript, [
      etcd.url,
      prefix,
      String(replicas),
      String(leaseTtlS),
      'busy',
    ]);
    await allJoined;

    // Write rate and client cost, every replica's load changing at every look.
    const [revisionBefore, etcdCpuBefore] = [await etcd.revision(), await cpuSecondsOf(etcd.pid)];
    const [cpuBefore, startedAt] = [process.cpuUsage(), performance.now()];
    await sleep(windowS(settings) * 1000);
    const cpu = process.cpuUsage(cpuBefore);
    const writes = (await etcd.revision()) - revisionBefore;
    const etcdCpu = (await cpuSecondsOf(etcd.pid)) - etcdCpuBefore;
    // Measured, not planned: on a busy machine the sleep overshoots.
    const elapsedS = (performance.now() - startedAt) / 1000;
    const writesPerReplicaS = writes / replicas / elapsedS;
    // Every write reaches every client: the cost of one change applied by one client.
    const cpuPerDeliveryUs = (cpu.user + cpu.system - idleCores * elapsedS * 1e6) / (writes * clients);
    // etcd's cost is mostly per delivery too (the gateway marshals every event to JSON per watcher).
    const etcdCoresAt1000x100 =
      (etcdCpu / elapsedS) * ((1000 * Math.min(1, writesPerReplicaS)) / (writes / elapsedS));
    const coresAt1000x100 =
      (1000 * 100 * Math.min(1, writesPerReplicaS) * cpuPerDeliveryUs) / 1e6 + idleCores;

    const drains: { writeMs: number; reachedAllMs: number }[] = [];
    for (let rep = 0; rep < settings.reps; rep++) {
      const reached = lastToSee(`http://127.0.0.1:1/busy${rep}`, 'serverDown');
      const started = performance.now();
      busy.send(`drain ${rep}`);
      const writeMs = Number((await busy.nextLine()).split(' ')[2]);
      drains.push({ writeMs, reachedAllMs: (await reached) - started });
    }

    const downs: number[] = [];
    for (let rep = 0; rep < settings.reps; rep++) {
      const url = `http://127.0.0.1:1/victim${rep}-0`;
      const joined = lastToSee(url, 'serverAdded');
      const victim = startNode('etcd victim', stubScript, [
        etcd.url,
        prefix,
        '1',
        String(leaseTtlS),
        `victim${rep}-`,
      ]);
      await joined;
      // Keep-alives run every TTL/3: a kill right after one is the worst case, which a short pause reaches.
      await sleep(100);
      const removed = lastToSee(url, 'serverRemoved');
      const killedAt = performance.now();
      await victim.stop();
      downs.push((await removed) - killedAt);
    }
    await busy.stop();

    const rows = [
      ['etcd writes per replica per second', fixed(writesPerReplicaS, 2)],
      ['etcd CPU, share of one core', fixed(etcdCpu / elapsedS, 3)],
      ['100 idle clients (heartbeats), share of one core', fixed(idleCores, 3)],
      ['client CPU per change applied (us)', fixed(cpuPerDeliveryUs, 1)],
      ['1,000 replicas x 100 clients, client CPU (cores)', fixed(coresAt1000x100, 2)],
      ['1,000 replicas x 100 clients, etcd CPU (cores, linear)', fixed(etcdCoresAt1000x100, 2)],
      ['drain written (ms, median)', fixed(median(drains.map((drain) => drain.writeMs)), 1)],
      ['drain reached all clients (ms, median)', fixed(median(drains.map((drain) => drain.reachedAllMs)), 1)],
      ['SIGKILLed replica left all clients (ms, median)', fixed(median(downs), 1)],
    ];
    console.log(formatTable(['measure', 'value'], rows));
    await writeResults('etcd-propagation', {
      clients,
      replicas,
      leaseTtlS,
      elapsedS,
      writesPerReplicaS,
      etcdCpuShare: etcdCpu / elapsedS,
      idleCores,
      cpuPerDeliveryUs,
      coresAt1000x100,
      etcdCoresAt1000x100,
      drains,
      downsMs: downs,
    });
    const checks = [
      checkBound('writes per replica per second', writesPerReplicaS, '<=', 1.05, 'every look finds a change'),
      checkEach(
        'drain written (ms)',
        drains,
        (drain) => fixed(drain.writeMs, 1),
        (drain) => drain.writeMs <= 100,
        '<= 100 ms',
      ),
      checkEach(
        'drain reached 100 clients (ms)',
        drains,
        (drain) => fixed(drain.reachedAllMs, 0),
        (drain) => drain.reachedAllMs <= leaseTtlS * 1000,
        `<= TTL ${leaseTtlS} s`,
      ),
      checkEach(
        'SIGKILLed replica left 100 clients (ms)',
        downs,
        (ms) => fixed(ms, 0),
        (ms) => ms <= leaseTtlS * 1000,
        `<= TTL ${leaseTtlS} s`,
      ),
      checkBound(
        '1,000 x 100 client CPU (cores)',
        coresAt1000x100,
        '<=',
        os.cpus().length,
        "extrapolated; <= this machine's cores",
      ),
    ];
    printTargets(checks);
    return checks;
  } finally {
    for (const { source } of watchers) source.close();
    await etcd.stop();
  }
}
