import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type BalancedSoapClient, createBalancedClient } from '../../src/index.js';
import { record, stateOf } from '../helpers/balancer-events.js';
import { publishStatus, startEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/monitor.js';
import { startCalculators } from '../helpers/servers.js';

const prefix = '/soap-balancer/v1/calc/';
const loopback = ['http://127.0.0.1:*'];

/** Calls from `concurrency` loops until stopped; counts what succeeded and what failed. */
function callUntilStopped(client: BalancedSoapClient, concurrency: number) {
  let stopped = false;
  const outcome = { ok: 0, failed: [] as unknown[] };
  const loops = Array.from({ length: concurrency }, async () => {
    while (!stopped) {
      await client.AddAsync({ a: 1, b: 2 }).then(
        () => outcome.ok++,
        (error: unknown) => outcome.failed.push(error),
      );
    }
  });
  return {
    outcome,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      return outcome;
    },
  };
}

test('SIGKILL of the etcd leader under load: no call fails and the watch resumes on another member', async (t) => {
  const etcd = await startEtcd(t, 3);
  const servers = await startCalculators(t, 2);
  for (const server of servers) await publishStatus(etcd, prefix, { url: server.url });
  const leader = await etcd.leader();
  // The leader first: the client watches it until it dies.
  const endpoints = [leader.clientUrl, ...etcd.endpoints.filter((url) => url !== leader.clientUrl)];
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    allow: loopback,
    idempotent: true,
    etcd: { endpoints, prefix },
  });
  t.after(() => client.close());
  const errors = record(client, 'statusError');
  const load = callUntilStopped(client, 4);
  await waitFor(() => load.outcome.ok >= 20, 'calls to flow');

  await leader.kill();
  await waitFor(() => errors.length > 0, 'the client to lose its member');
  await publishStatus(etcd, prefix, { url: servers[1]!.url, state: 'draining' });
  await waitFor(() => stateOf(client, servers[1]!.url) === 'draining', 'the change made after the kill');
  const before = load.outcome.ok;
  await waitFor(() => load.outcome.ok >= before + 20, 'calls to go on');

  const { failed } = await load.stop();
  assert.deepEqual(failed, []);
});

test('all members down: calls go on with the last pool, the status expires, and comes back with etcd', async (t) => {
  const etcd = await startEtcd(t, 1);
  const servers = await startCalculators(t, 2);
  await publishStatus(etcd, prefix, { url: servers[0]!.url });
  await publishStatus(etcd, prefix, { url: servers[1]!.url, state: 'draining' });
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    allow: loopback,
    etcd: { endpoints: etcd.endpoints, prefix, heartbeatMs: 100, maxAgeMs: 500 },
  });
  t.after(() => client.close());
  const expired = record(client, 'statusExpired');
  const recovered = record(client, 'statusRecovered');
  assert.equal(stateOf(client, servers[1]!.url), 'draining');

  await etcd.members[0]!.kill();
  await waitFor(() => expired.length === 1, 'the status to expire');
  // Etcd's word is ignored now: both servers of the last pool serve.
  assert.equal(stateOf(client, servers[1]!.url), 'up');
  const served = new Set<string>();
  for (let i = 0; i < 20; i++) served.add((await client.AddAsync({ a: i, b: 0 }))[0].server as string);
  assert.deepEqual(served, new Set(servers.map((server) => server.name)));

  await etcd.members[0]!.restart();
  await waitFor(() => recovered.length > 0, 'the status to recover');
  await waitFor(() => stateOf(client, servers[1]!.url) === 'draining', 'the status to steer again');
});

test("a SIGKILLed replica's key leaves etcd with its lease, and the clients drop it", async (t) => {
  const etcd = await startEtcd(t, 1);
  const [local] = await startCalculators(t, 1);
  await publishStatus(etcd, prefix, { url: local!.url });
  const fixture = fileURLToPath(new URL('../fixtures/etcd-replica.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, etcd.endpoints[0]!, prefix], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => child.kill('SIGKILL'));
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const replicaUrl = line.toString().trim();
  const key = `${prefix}${encodeURIComponent(replicaUrl)}`;
  await waitFor(() => etcd.get(key), "the replica's key");

  const client = await createBalancedClient(local!.wsdlUrl, {
    allow: loopback,
    etcd: { endpoints: etcd.endpoints, prefix },
  });
  t.after(() => client.close());
  await waitFor(() => stateOf(client, replicaUrl) === 'up', 'the client to know the replica');
  const removed = record(client, 'serverRemoved');

  child.kill('SIGKILL');
  await waitFor(async () => (await etcd.get(key)) === undefined, 'the key to leave with its lease');
  await waitFor(() => removed.some((event) => event.server === replicaUrl), 'the client to drop the replica');
  assert.deepEqual(
    client.balancer.servers().map((server) => server.url),
    [local!.url],
  );
});
