// Replicas for the etcd scenarios: N reporters' etcd publishers in one process, without HTTP servers.
// Usage: etcd-propagation-stub.ts <etcd URL> <prefix> <count> <lease TTL s> <name> [changes/s];
// replica i is `http://127.0.0.1:1/<name><i>`. Without a rate each replica's figures are drawn anew
// at every look, so that nearly every look finds a change (the worst case for the write rate); with
// one, each replica's figures change at random moments, that many times a second on average (a
// Poisson process, as independent load changes are), and `rate <changes/s>` on stdin sets a new rate.
// On stdin `drain <i>` drains replica i and prints `drained <i> <ms the write took>`.
import { createInterface } from 'node:readline';
import { ReporterEtcdPublisher } from '../../src/etcd/reporter-publisher.js';
import type { LoadReport } from '../../src/index.js';

const [endpoint, prefix, count, ttl, name, changesPerS] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string | undefined,
];
const capacity = 8;
const inFlight = Array.from({ length: Number(count) }, () => 0);
const report = (index: number) => (): LoadReport => ({
  version: 1,
  inFlight: changesPerS === undefined ? Math.floor(Math.random() * capacity) : (inFlight[index] ?? 0),
  queued: 0,
  capacity,
  served: 0,
  eventLoopDelayMs: 0,
  uptimeMs: 0,
});
const publishers = inFlight.map((_, index) => {
  const url = `http://127.0.0.1:1/${name}${index}`;
  const settings = {
    endpoints: [endpoint],
    prefix,
    leaseTtlSeconds: Number(ttl),
    timeoutMs: 2_000,
    url,
    id: url,
  };
  return new ReporterEtcdPublisher(settings, report(index));
});

// A change in each tick with probability rate x tick: Poisson at that rate (ticks much shorter than 1/rate).
const tickMs = 50;
let rate = Number(changesPerS ?? 0);
setInterval(() => {
  for (let index = 0; index < inFlight.length; index++) {
    // Always a different figure: every change is one a writer would see.
    if (Math.random() < (rate * tickMs) / 1000)
      inFlight[index] = ((inFlight[index] ?? 0) + 1 + Math.floor(Math.random() * (capacity - 1))) % capacity;
  }
}, tickMs).unref();

for await (const line of createInterface({ input: process.stdin })) {
  const newRate = /^rate ([\d.]+)$/.exec(line)?.[1];
  if (newRate !== undefined) {
    rate = Number(newRate);
    continue;
  }
  const index = Number(/^drain (\d+)$/.exec(line)?.[1]);
  const started = performance.now();
  await publishers[index]?.drain();
  process.stdout.write(`drained ${index} ${(performance.now() - started).toFixed(1)}\n`);
}
