// `etcd-scale`: 1,000 replicas (real reporters' etcd writers in two stub processes) and 100 watching
// clients (status sources feeding Balancers, in this process) on one etcd member. Measures how long
// all clients take to know all replicas, what the clients and etcd hold in memory, then the steady
// state with figures changing at 0, 0.1 and 1 times a second per replica: the write rate, the CPU of
// etcd, the stubs and the clients, and whether the clients keep up (a drain, written during the load,
// timed until all 100 clients applied it). From these, a projection for 10,000 clients.
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { settledMemory } from '../harness/memory.js';
import { cpuSecondsOf, type Proc, rssBytesOf, startNode, startProcess } from '../harness/processes.js';
import { writeResults } from '../harness/results.js';
import type { Scenario } from '../harness/scenario.js';
import type { BenchSettings } from '../harness/settings.js';
import { median } from '../harness/stats.js';
import { fixed, formatTable, heading } from '../harness/table.js';
import { checkBound, checkEach, printTargets } from '../harness/targets.js';
import { startEtcd } from '../load/etcd.js';
import { startWatchers, trackEvents } from '../load/etcd-watchers.js';

const clients = 100;
const stubs = 2;
const replicasPerStub = 500;
const replicas = stubs * replicasPerStub;
/** The writers' default lease TTL: 1,000 leases renewed every third of it. */
const leaseTtlS = 5;
/** Figure changes per second per replica in the steady-state phases. */
const rates = [0, 0.1, 1] as const;
const projectedClients = 10_000;
/** The gRPC comparison's rate: one the gateway clients keep up with. */
const grpcRate = 0.1;
/** The rate of the phase without watchers, which measures what the writes alone cost etcd. */
const unwatchedRate = grpcRate;
/**
 * A drain that reached every client within the lease TTL shows they keep up: a backlog grows without
 * bound, and past the TTL the clients would learn of a drain later than of a death.
 */
const keepUpMs = leaseTtlS * 1000;
const inTime = (drain: { reachedAllMs: number }) => drain.reachedAllMs <= keepUpMs;
const prefix = '/soap-balancer/v1/scale/';
const stubScript = fileURLToPath(new URL('./etcd-propagation-stub.ts', import.meta.url));
const windowS = (s: BenchSettings) => Math.max(5, Math.ceil(s.durationS));
/** After a rate change: writers look once a second, so the new write rate holds within two. */
const settleS = 3;
const idleS = 3;
const MiB = 1024 * 1024;

export const etcdScale: Scenario = {
  name: 'etcd-scale',
  seconds: (s) => 60 + idleS + (rates.length + 2) * (settleS + windowS(s)),
  run: runEtcdScale,
};

/** CPU seconds so far of the clients (this process), etcd and the stubs, and etcd's revision. */
type Etcd = Awaited<ReturnType<typeof startEtcd>>;

async function snapshot(etcd: Etcd, procs: readonly Proc[]) {
  const own = process.cpuUsage();
  const stubCpu = await Promise.all(procs.map((proc) => cpuSecondsOf(proc.pid)));
  return {
    at: performance.now(),
    clientsCpu: (own.user + own.system) / 1e6,
    etcdCpu: await cpuSecondsOf(etcd.pid),
    stubsCpu: stubCpu.reduce((sum, seconds) => sum + seconds, 0),
    revision: await etcd.revision(),
  };
}

type Snapshot = Awaited<ReturnType<typeof snapshot>>;

/** Shares of one core between two snapshots, and writes per second. */
function between(from: Snapshot, to: Snapshot) {
  const elapsedS = (to.at - from.at) / 1000;
  return {
    elapsedS,
    clientsCores: (to.clientsCpu - from.clientsCpu) / elapsedS,
    etcdCores: (to.etcdCpu - from.etcdCpu) / elapsedS,
    stubsCores: (to.stubsCpu - from.stubsCpu) / elapsedS,
    writesPerS: (to.revision - from.revision) / elapsedS,
  };
}

async function runEtcdScale(settings: BenchSettings) {
  console.log(
    heading(`etcd-scale: ${replicas} replicas, ${clients} watching clients, lease TTL ${leaseTtlS} s`),
  );
  const etcd = await startEtcd();
  const procs: Proc[] = [];
  const etcdEmptyRss = await rssBytesOf(etcd.pid);
  const memoryBefore = settledMemory();
  const watchers = await startWatchers(etcd.url, prefix, clients);
  const lastToSee = trackEvents(watchers);
  try {
    // 100 clients with nothing to watch: their heartbeats (a linearizable read each a second).
    const idleFrom = await snapshot(etcd, procs);
    await sleep(idleS * 1000);
    const idle = between(idleFrom, await snapshot(etcd, procs));
    const etcdWatchedRss = await rssBytesOf(etcd.pid);

    // 1,000 replicas register (a lease and a put each) while the 100 clients watch.
    const urls = (stub: number) =>
      Array.from({ length: replicasPerStub }, (_, i) => `http://127.0.0.1:1/s${stub}r${i}`);
    const allJoined = Promise.all(
      Array.from({ length: stubs }, (_, stub) => urls(stub))
        .flat()
        .map((url) => lastToSee(url, 'serverAdded')),
    );
    const joinFrom = await snapshot(etcd, procs);
    for (let stub = 0; stub < stubs; stub++) {
      const args = [etcd.url, prefix, String(replicasPerStub), String(leaseTtlS), `s${stub}r`, '0'];
      procs.push(startNode(`etcd replicas ${stub}`, stubScript, args));
    }
    const joinedAt = Math.max(...(await allJoined));
    const joinMs = joinedAt - joinFrom.at;
    // The stubs' CPU so far is all theirs (started after `joinFrom`).
    const join = between({ ...joinFrom, stubsCpu: 0 }, await snapshot(etcd, procs));

    const memoryHeld = settledMemory();
    const heapPerClient = (memoryHeld.heapUsed - memoryBefore.heapUsed) / clients;
    const rssPerClient = (memoryHeld.rss - memoryBefore.rss) / clients;
    const etcdJoinedRss = await rssBytesOf(etcd.pid);

    // 100 more clients starting now learn the 1,000 replicas by a range each.
    const rangeFrom = performance.now();
    const late = await startWatchers(etcd.url, prefix, clients);
    const rangeAllMs = performance.now() - rangeFrom;
    for (const { source } of late) source.close();

    const phases = [];
    let marker = 0;
    for (const rate of rates) {
      for (const proc of procs) proc.send(`rate ${rate}`);
      await sleep(settleS * 1000);
      const from = await snapshot(etcd, procs);
      const endAt = from.at + windowS(settings) * 1000;
      // One drain a second (a different replica each), timed until all 100 clients applied it.
      const drains: { writeMs: number; reachedAllMs: number }[] = [];
      while (performance.now() < endAt - 1000) {
        const url = `http://127.0.0.1:1/s0r${marker}`;
        const reached = lastToSee(url, 'serverDown');
        const sentAt = performance.now();
        procs[0]?.send(`drain ${marker++}`);
        const writeMs = Number((await procs[0]?.nextLine())?.split(' ')[2]);
        drains.push({ writeMs, reachedAllMs: (await reached) - sentAt });
        await sleep(Math.max(0, sentAt + 1000 - performance.now()));
      }
      await sleep(Math.max(0, endAt - performance.now()));
      const measured = between(from, await snapshot(etcd, procs));
      phases.push({ rate, ...measured, etcdRss: await rssBytesOf(etcd.pid), drains });
    }

    // The same 0.1/s with no watcher at all (the writes' own cost), then with 100 gRPC watchers.
    for (const { source } of watchers) source.close();
    for (const proc of procs) proc.send(`rate ${unwatchedRate}`);
    await sleep(settleS * 1000);
    const unwatchedFrom = await snapshot(etcd, procs);
    await sleep(windowS(settings) * 1000);
    const unwatched = between(unwatchedFrom, await snapshot(etcd, procs));
    const grpc = await grpcPhase(etcd, procs, settings);

    // Projection: etcd's cost split into heartbeats (per client), lease renewals (per replica: the
    // 0/s phase minus the heartbeats), writes (the unwatched phase minus renewals, per write) and
    // events delivered (per write and watcher: what is left of the rise above the 0/s phase, taken
    // from the busiest phase the clients kept up with).
    const base = phases[0];
    if (base === undefined) throw new Error('no phase was measured');
    const heartbeatCoresPerClient = idle.etcdCores / clients;
    const renewalCores = base.etcdCores - idle.etcdCores;
    const etcdRssPerWatcher = (etcdWatchedRss - etcdEmptyRss) / clients;
    const keptUp = phases.filter((phase) => phase.rate > 0 && phase.drains.every(inTime)).at(-1);
    const usPerWrite = ((unwatched.etcdCores - renewalCores) / unwatched.writesPerS) * 1e6;
    const usPerEvent = (cores: number, writesPerS: number) =>
      ((cores - (writesPerS * usPerWrite) / 1e6) / (writesPerS * clients)) * 1e6;
    const gatewayUsPerEvent = keptUp
      ? usPerEvent(keptUp.etcdCores - base.etcdCores, keptUp.writesPerS)
      : Number.NaN;
    const grpcUsPerEvent = usPerEvent(grpc.etcdCores - renewalCores, grpc.writesPerS);
    const projections = rates.map((rate) => {
      // A writer looks once a second: it writes when its figures changed at least once since.
      const writesPerS = replicas * (1 - Math.exp(-rate));
      const eventsPerS = writesPerS * projectedClients;
      const fixedCores =
        heartbeatCoresPerClient * projectedClients + renewalCores + (writesPerS * usPerWrite) / 1e6;
      return {
        rate,
        writesPerS,
        eventsPerS,
        // A cost per event below the noise (gRPC's, nearly) counts as none.
        gatewayEtcdCores: fixedCores + (eventsPerS * Math.max(0, gatewayUsPerEvent)) / 1e6,
        grpcEtcdCores: fixedCores + (eventsPerS * Math.max(0, grpcUsPerEvent)) / 1e6,
      };
    });

    console.log(
      formatTable(
        ['join and memory', 'value'],
        [
          [`all ${clients} clients know all ${replicas} replicas (ms, by watch)`, fixed(joinMs, 0)],
          [`${clients} more clients ranged ${replicas} replicas (ms, all)`, fixed(rangeAllMs, 0)],
          ['join: etcd / stubs / clients CPU (share of one core)', sharesOf(join)],
          ['client heap per client (KiB)', fixed(heapPerClient / 1024, 0)],
          ['client RSS growth per client (KiB)', fixed(rssPerClient / 1024, 0)],
          [
            'etcd RSS: empty / 100 watchers / + 1,000 replicas (MiB)',
            rssRow(etcdEmptyRss, etcdWatchedRss, etcdJoinedRss),
          ],
          [
            '100 idle clients: etcd / clients CPU (heartbeats)',
            `${fixed(idle.etcdCores, 3)} / ${fixed(idle.clientsCores, 3)}`,
          ],
        ],
      ),
    );
    console.log(
      `\n${formatTable(
        [
          'changes/s per replica',
          'writes/s',
          'etcd',
          'stubs',
          'clients',
          'etcd RSS MiB',
          'drain written ms',
          'drain in all 100 ms',
        ],
        phases.map((phase) => [
          fixed(phase.rate, 1),
          fixed(phase.writesPerS, 0),
          fixed(phase.etcdCores, 3),
          fixed(phase.stubsCores, 3),
          fixed(phase.clientsCores, 3),
          fixed(phase.etcdRss / MiB, 0),
          fixed(median(phase.drains.map((drain) => drain.writeMs)), 1),
          `${fixed(median(phase.drains.map((drain) => drain.reachedAllMs)), 0)} (max ${fixed(Math.max(...phase.drains.map((drain) => drain.reachedAllMs)), 0)})`,
        ]),
      )}`,
    );
    console.log(
      `\n${formatTable(
        [
          `${projectedClients} clients: changes/s per replica`,
          'writes/s',
          'events/s',
          'etcd cores, gateway',
          'etcd cores, gRPC',
        ],
        projections.map((p) => [
          fixed(p.rate, 1),
          fixed(p.writesPerS, 0),
          fixed(p.eventsPerS, 0),
          fixed(p.gatewayEtcdCores, 1),
          fixed(p.grpcEtcdCores, 1),
        ]),
      )}`,
    );
    console.log(
      `etcd CPU per write: ${fixed(usPerWrite, 1)} us (${fixed(unwatched.writesPerS, 0)} writes/s unwatched, etcd ${fixed(unwatched.etcdCores, 3)} cores); per event delivered: ${fixed(gatewayUsPerEvent, 1)} us by the JSON gateway (at ${keptUp?.rate ?? '-'}/s), ${fixed(grpcUsPerEvent, 1)} us by gRPC (at ${grpcRate}/s, ${fixed(grpc.writesPerS, 0)} writes/s, etcd ${fixed(grpc.etcdCores, 3)} cores); etcd RSS per gateway watcher: ${fixed(etcdRssPerWatcher / 1024, 0)} KiB; load average ${os
        .loadavg()
        .map((load) => fixed(load, 1))
        .join(' ')}`,
    );
    await writeResults('etcd-scale', {
      clients,
      replicas,
      leaseTtlS,
      joinMs,
      rangeAllMs,
      join,
      idle,
      heapPerClient,
      rssPerClient,
      etcdRss: { empty: etcdEmptyRss, watched: etcdWatchedRss, joined: etcdJoinedRss },
      etcdRssPerWatcher,
      phases,
      unwatched,
      usPerWrite,
      grpc,
      gatewayUsPerEvent,
      grpcUsPerEvent,
      projections,
    });
    const checks = [
      ...phases
        .filter((phase) => phase.rate > 0)
        .map((phase) =>
          checkEach(
            `changes at ${phase.rate}/s: a drain reaches all ${clients} clients (ms)`,
            phase.drains,
            (drain) => fixed(drain.reachedAllMs, 0),
            inTime,
            `<= ${keepUpMs} ms: the clients keep up`,
          ),
        ),
      checkBound(
        `${replicas} x ${clients} client CPU at ${rates.at(-1)}/s (cores)`,
        phases.at(-1)?.clientsCores ?? Number.NaN,
        '<=',
        os.cpus().length,
        "measured; <= this machine's cores",
      ),
    ];
    printTargets(checks);
    return checks;
  } finally {
    await Promise.all(procs.map((proc) => proc.stop()));
    for (const { source } of watchers) source.close();
    await etcd.stop();
  }
}

/**
 * The load at `grpcRate` delivered over gRPC instead of the JSON gateway: one etcdctl holding 100
 * watches on one stream (its output discarded), with the gateway clients closed beforehand.
 */
async function grpcPhase(etcd: Etcd, procs: readonly Proc[], settings: BenchSettings) {
  const grpcWatchers = startProcess('etcdctl watchers', 'sh', [
    '-c',
    'exec etcdctl --endpoints "$1" watch -i > /dev/null',
    'sh',
    etcd.url,
  ]);
  try {
    for (let i = 0; i < clients; i++) grpcWatchers.send(`watch --prefix ${prefix}`);
    for (const proc of procs) proc.send(`rate ${grpcRate}`);
    await sleep(settleS * 1000);
    const from = await snapshot(etcd, procs);
    await sleep(windowS(settings) * 1000);
    return between(from, await snapshot(etcd, procs));
  } finally {
    await grpcWatchers.stop();
  }
}

function sharesOf(measured: ReturnType<typeof between>): string {
  return [measured.etcdCores, measured.stubsCores, measured.clientsCores]
    .map((cores) => fixed(cores, 3))
    .join(' / ');
}

function rssRow(...bytes: number[]): string {
  return bytes.map((value) => fixed(value / MiB, 0)).join(' / ');
}
