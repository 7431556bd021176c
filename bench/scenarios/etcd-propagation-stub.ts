// Replicas for the etcd scenario: N reporters' etcd publishers in one process, without HTTP servers
// (their figures are drawn at random each look, so that every look finds a change: the worst case for
// the write rate). Usage: etcd-propagation-stub.ts <etcd URL> <prefix> <count> <lease TTL s> <name>;
// replica i is `http://127.0.0.1:1/<name><i>`. On stdin `drain <i>` drains replica i and prints
// `drained <i> <ms the write took>`.
import { createInterface } from 'node:readline';
import { ReporterEtcdPublisher } from '../../src/etcd/reporter-publisher.js';
import type { LoadReport } from '../../src/index.js';

const [endpoint, prefix, count, ttl, name] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const report = (): LoadReport => ({
  version: 1,
  inFlight: Math.floor(Math.random() * 8),
  queued: 0,
  capacity: 8,
  served: 0,
  eventLoopDelayMs: 0,
  uptimeMs: 0,
});
const publishers = Array.from({ length: Number(count) }, (_, index) => {
  const url = `http://127.0.0.1:1/${name}${index}`;
  const settings = {
    endpoints: [endpoint],
    prefix,
    leaseTtlSeconds: Number(ttl),
    timeoutMs: 2_000,
    url,
    id: url,
  };
  return new ReporterEtcdPublisher(settings, report);
});

for await (const line of createInterface({ input: process.stdin })) {
  const index = Number(/^drain (\d+)$/.exec(line)?.[1]);
  const started = performance.now();
  await publishers[index]?.drain();
  process.stdout.write(`drained ${index} ${(performance.now() - started).toFixed(1)}\n`);
}
