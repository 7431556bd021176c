import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createBalancedClient } from '../../src/index.js';
import { parseServerStatus } from '../../src/status/schema.js';
import { startEtcd } from '../helpers/etcd.js';
import { assertExitsByItself } from '../helpers/exits-by-itself.js';
import { waitFor } from '../helpers/monitor.js';
import { startCalculators } from '../helpers/servers.js';

const prefix = '/soap-balancer/v1/calc/';
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const keyOf = (url: string) => `${prefix}${encodeURIComponent(url)}`;

test('a load reporter registers its replica, writes draining at once, and removes its key on close', async (t) => {
  const etcd = await startEtcd(t);
  const [replica, other] = await startCalculators(t, 2, {
    loadReport: { etcd: { endpoints: etcd.endpoints, prefix, leaseTtlSeconds: 2 } },
  });
  const key = keyOf(replica!.url);
  const written = await waitFor(() => etcd.get(key), "the replica's key");
  const status = parseServerStatus(JSON.parse(written.value), 'value');
  assert.deepEqual(
    [status.id, status.url, status.state, status.loadSource],
    [replica!.url, replica!.url, 'up', 'report'],
  );
  assert.notEqual(written.lease, '0');

  const client = await createBalancedClient(replica!.wsdlUrl, {
    allow: ['http://127.0.0.1:*'],
    etcd: { endpoints: etcd.endpoints, prefix },
  });
  t.after(() => client.close());
  await waitFor(() => client.balancer.servers().length === 2, 'both replicas in the pool');

  await replica!.loadReporter!.drain();
  const drained = await etcd.get(key);
  assert.equal(parseServerStatus(JSON.parse(drained!.value), 'value').state, 'draining');
  await waitFor(
    () => client.balancer.servers().find((server) => server.url === replica!.url)?.state === 'draining',
    'the client to see the drain',
  );
  const served = await client.AddAsync({ a: 1, b: 1 });
  assert.equal(served[0].server, other!.name);

  await replica!.loadReporter!.close();
  assert.equal(await etcd.get(key), undefined);
});

test('a process with an etcd reporter and an etcd client exits by itself once both are closed', async (t) => {
  const etcd = await startEtcd(t);
  const script = fileURLToPath(new URL('../fixtures/etcd-exits-after-close.ts', import.meta.url));
  const output = await assertExitsByItself([script, etcd.endpoints[0]!]);
  assert.match(output, /closed/);
  // Its key went with the close (the lease revoked), not with a TTL.
  const answer = await etcd.call('/v3/kv/range', {
    key: Buffer.from('/soap-balancer/v1/exits/').toString('base64'),
    range_end: Buffer.from('/soap-balancer/v1/exits0').toString('base64'),
    count_only: true,
  });
  assert.equal(answer.count, undefined); // 0 is left out of etcd's JSON
});

/** The monitor CLI publishing to etcd, as a child process; SIGKILLed when the test ends. */
function runMonitor(t: TestContext, servers: readonly string[], etcdUrls: readonly string[]) {
  const args = [
    'monitor',
    '--port',
    '0',
    '--interval-ms',
    '200',
    '--timeout-ms',
    '200',
    '--etcd-prefix',
    prefix,
  ];
  for (const url of servers) args.push('--server', url);
  for (const url of etcdUrls) args.push('--etcd', url);
  args.push('--etcd-lease-ttl', '1');
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  t.after(() => child.kill('SIGKILL'));
  return { child, leading: () => stderr.includes('etcd: leading') };
}

test('monitors elect one writer, which never overwrites a reporter; a SIGKILLed leader is replaced', async (t) => {
  const etcd = await startEtcd(t);
  const [reported] = await startCalculators(t, 1, {
    loadReport: { etcd: { endpoints: etcd.endpoints, prefix, leaseTtlSeconds: 2 } },
  });
  const [probed] = await startCalculators(t, 1);
  const reporterKey = await waitFor(() => etcd.get(keyOf(reported!.url)), "the reporter's key");
  const servers = [reported!.url, probed!.url];
  const monitors = [runMonitor(t, servers, etcd.endpoints), runMonitor(t, servers, etcd.endpoints)];

  const leader = await waitFor(() => monitors.find((monitor) => monitor.leading()), 'a leader', 30_000);
  const probedKey = await waitFor(
    () => etcd.get(keyOf(probed!.url)),
    'the monitor to publish the probed replica',
  );
  assert.equal(parseServerStatus(JSON.parse(probedKey.value), 'value').state, 'up');
  assert.equal(monitors.filter((monitor) => monitor.leading()).length, 1);
  // The reporter's key is still the reporter's, under its lease.
  assert.equal((await etcd.get(keyOf(reported!.url)))?.lease, reporterKey.lease);

  leader.child.kill('SIGKILL');
  const follower = monitors.find((monitor) => monitor !== leader)!;
  await waitFor(() => follower.leading(), 'the other monitor to lead', 30_000);
  const rewritten = await waitFor(async () => {
    const value = await etcd.get(keyOf(probed!.url));
    return value?.lease !== probedKey.lease ? value : undefined;
  }, 'the new leader to write the probed replica');
  assert.equal(parseServerStatus(JSON.parse(rewritten.value), 'value').state, 'up');
  assert.equal((await etcd.get(keyOf(reported!.url)))?.lease, reporterKey.lease);
});
