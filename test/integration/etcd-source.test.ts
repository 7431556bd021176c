import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type BalancedSoapClient,
  createBalancedClient,
  ErrorCode,
  isSoapBalancerError,
} from '../../src/index.js';
import { record, stateOf } from '../helpers/balancer-events.js';
import { publishStatus, startEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/monitor.js';
import { refusedUrl, startCalculators } from '../helpers/servers.js';
import { statusSnapshot } from '../helpers/status-snapshot.js';

const prefix = '/soap-balancer/v1/calc/';
/** Replicas learned from etcd all run on this host, on ports of their own. */
const loopback = ['http://127.0.0.1:*'];

async function servedBy(client: BalancedSoapClient, count: number): Promise<Set<string>> {
  const names = await Promise.all(
    Array.from(
      { length: count },
      async (_, i) => (await client.AddAsync({ a: i, b: 1 }))[0].server as string,
    ),
  );
  return new Set(names);
}

test('takes the pool from etcd and follows its changes key by key', async (t) => {
  const etcd = await startEtcd(t);
  const servers = await startCalculators(t, 3);
  await publishStatus(etcd, prefix, { url: servers[0]!.url });
  await publishStatus(etcd, prefix, { url: servers[1]!.url });
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    allow: loopback,
    etcd: { endpoints: etcd.endpoints, prefix },
  });
  t.after(() => client.close());
  assert.deepEqual(await servedBy(client, 20), new Set([servers[0]!.name, servers[1]!.name]));

  const added = record(client, 'serverAdded');
  await publishStatus(etcd, prefix, { url: servers[2]!.url });
  await waitFor(() => added.length === 1, 'the third server to join');
  await publishStatus(etcd, prefix, { url: servers[0]!.url, state: 'draining' });
  await waitFor(() => stateOf(client, servers[0]!.url) === 'draining', 'the first server to drain');
  await etcd.remove(`${prefix}${encodeURIComponent(servers[1]!.url)}`);
  await waitFor(() => stateOf(client, servers[1]!.url) === undefined, 'the second server to leave');

  assert.deepEqual(await servedBy(client, 10), new Set([servers[2]!.name]));
});

test('with no servers of its own and no etcd member answering, creating the client fails with SOAPBAL_STATUS_UNAVAILABLE', async (t) => {
  const [server] = await startCalculators(t, 1);
  await assert.rejects(
    createBalancedClient(server!.wsdlUrl, {
      etcd: { endpoints: [await refusedUrl(), await refusedUrl()], prefix },
    }),
    (error: unknown) => isSoapBalancerError(error) && error.code === ErrorCode.StatusUnavailable,
  );
});

test('rejects hostile and oversized values as SOAPBAL_STATUS_INVALID; the rest of the pool keeps working', async (t) => {
  const etcd = await startEtcd(t);
  const servers = await startCalculators(t, 2);
  await publishStatus(etcd, prefix, { url: servers[0]!.url });
  await etcd.put(`${prefix}garbage`, '{"version":1,"id":"garbage","url":"javascript:alert(1)"}');
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    allow: loopback,
    etcd: { endpoints: etcd.endpoints, prefix },
  });
  t.after(() => client.close());
  const errors = record(client, 'statusError');

  const spoof = statusSnapshot([{ url: servers[1]!.url }]).servers[0];
  await etcd.put(`${prefix}other-id`, JSON.stringify(spoof)); // a value speaking for another key
  await etcd.put(`${prefix}huge`, JSON.stringify({ ...spoof, id: 'huge', padding: 'x'.repeat(100_000) }));
  await etcd.put(`${prefix}proto`, '{"__proto__":{"polluted":true},"id":"proto"}');
  await etcd.put(`${prefix}not-json`, 'not json at all');
  await waitFor(() => errors.length >= 4, 'four statusError events');
  const refused = record(client, 'serverNotAllowed');
  await publishStatus(etcd, prefix, { url: 'http://attacker.example:8080' }); // valid, but not on an allowed host
  await waitFor(() => refused.length === 1, 'the allow rule to refuse it');

  for (const { error } of errors) assert.equal(error.code, ErrorCode.StatusInvalid);
  assert.match(errors.map(({ error }) => error.message).join('\n'), /larger than 16384 bytes/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(
    client.balancer.servers().map((server) => server.url),
    [servers[0]!.url],
  );
  assert.deepEqual(await servedBy(client, 5), new Set([servers[0]!.name]));
});

test('a watch resumed after its revision was compacted away ranges again', async (t) => {
  const etcd = await startEtcd(t, 3);
  const servers = await startCalculators(t, 3);
  await publishStatus(etcd, prefix, { url: servers[0]!.url });
  await publishStatus(etcd, prefix, { url: servers[1]!.url });
  const [watched, other] = etcd.members;
  // Only one member: while it is down, the client can neither watch nor catch up.
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    allow: loopback,
    etcd: { endpoints: [watched!.clientUrl], prefix, heartbeatMs: 100 },
  });
  t.after(() => client.close());
  const errors = record(client, 'statusError');
  assert.equal(client.balancer.servers().length, 2);

  await watched!.kill();
  await waitFor(() => errors.length > 0, 'the client to notice');
  assert.ok(other!.running);
  await etcd.remove(`${prefix}${encodeURIComponent(servers[1]!.url)}`);
  const revision = await publishStatus(etcd, prefix, { url: servers[2]!.url });
  await etcd.compact(revision);
  const recovered = record(client, 'statusRecovered');
  await watched!.restart();

  await waitFor(() => recovered.length > 0, 'the client to reach etcd again');
  // Neither change can come from the compacted history: only a new range shows them.
  await waitFor(
    () =>
      client.balancer
        .servers()
        .map((server) => server.url)
        .sort()
        .join() === [servers[0]!.url, servers[2]!.url].sort().join(),
    'the pool as etcd holds it now',
  );
});
