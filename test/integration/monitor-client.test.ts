import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BasicAuthSecurity } from 'soap';
import {
  type BalancedSoapClient,
  createBalancedClient,
  ErrorCode,
  isSoapBalancerError,
} from '../../src/index.js';
import { record } from '../helpers/balancer-events.js';
import { startFakeMonitor } from '../helpers/fake-monitor.js';
import { refusedUrl, startCalculators, startPlainServer } from '../helpers/servers.js';

/** Replicas learned from the monitor all run on this host, on ports of their own. */
const loopback = ['http://127.0.0.1:*'];

const until = async (condition: () => boolean, what: string): Promise<void> => {
  // A bounded wait for a condition, not a measurement: fails the test if it never comes.
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(condition(), `timed out waiting for ${what}`);
};

/** A call made only so that the client asks the monitor for status; its outcome doesn't matter. */
function poke(client: BalancedSoapClient): void {
  client.AddAsync({ a: 0, b: 0 }).catch(() => {});
}

async function callMany(client: BalancedSoapClient, count: number): Promise<string[]> {
  return Promise.all(
    Array.from(
      { length: count },
      async (_, i) => (await client.AddAsync({ a: i, b: 1 }))[0].server as string,
    ),
  );
}

test('takes the whole pool from the monitor, sending the bearer token', async (t) => {
  const servers = await startCalculators(t, 3);
  const monitor = await startFakeMonitor(t);
  monitor.report(servers.map((server) => ({ url: server.url })));
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    allow: loopback,
    monitor: { url: monitor.url, token: 's3cret' },
  });
  t.after(() => client.close());

  const served = await callMany(client, 30);
  assert.deepEqual(new Set(served), new Set(servers.map((server) => server.name)));
  assert.equal(monitor.requests[0]?.authorization, 'Bearer s3cret');
});

test('asks for the status gzip-coded and reads it so', async (t) => {
  const servers = await startCalculators(t, 2);
  const monitor = await startFakeMonitor(t);
  monitor.report(servers.map((server) => ({ url: server.url })));
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    allow: loopback,
    monitor: { url: monitor.url },
  });
  t.after(() => client.close());

  assert.equal(monitor.requests[0]?.gzipped, true, 'the status request accepts gzip');
  assert.deepEqual(
    client.balancer.servers().map((server) => server.url),
    servers.map((server) => server.url),
    'the gzip-coded status was read',
  );
});

test('sends nothing to servers the monitor reports down or draining', async (t) => {
  const servers = await startCalculators(t, 3);
  const monitor = await startFakeMonitor(t);
  monitor.report([
    { url: servers[0]!.url },
    { url: servers[1]!.url, state: 'down' },
    { url: servers[2]!.url, state: 'draining' },
  ]);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    allow: loopback,
    monitor: { url: monitor.url },
  });
  t.after(() => client.close());

  const served = await callMany(client, 20);
  assert.deepEqual(new Set(served), new Set([servers[0]!.name]));
  assert.deepEqual(
    client.balancer.servers().map((server) => server.state),
    ['up', 'down', 'draining'],
  );
});

test('adds a server the monitor starts reporting, and it receives calls', async (t) => {
  const servers = await startCalculators(t, 2);
  const monitor = await startFakeMonitor(t);
  monitor.report([{ url: servers[0]!.url }]);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    allow: loopback,
    monitor: { url: monitor.url, ttlMs: 1, maxAgeMs: 60_000 },
  });
  t.after(() => client.close());
  const added = record(client, 'serverAdded');

  monitor.report(servers.map((server) => ({ url: server.url })));
  // Status is asked for upon request: calls are what makes the client notice the change.
  await until(() => {
    poke(client);
    return added.length > 0;
  }, 'the new server to join');
  const served = await callMany(client, 20);

  assert.deepEqual(added, [{ server: servers[1]!.url }]);
  assert.ok(served.includes(servers[1]!.name), 'the added server served calls');
});

test('steers calls away from a server the monitor reports busy, without herding onto the idle one', async (t) => {
  const servers = await startCalculators(t, 3, { delayMs: 100 });
  const monitor = await startFakeMonitor(t);
  monitor.report([
    { url: servers[0]!.url, load: 0, capacity: 4 },
    { url: servers[1]!.url, load: 1, capacity: 4 },
    { url: servers[2]!.url, load: 8, capacity: 4 },
  ]);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    allow: loopback,
    monitor: { url: monitor.url },
  });
  t.after(() => client.close());

  const served = await callMany(client, 24);
  const share = (index: number) => served.filter((name) => name === servers[index]!.name).length;
  assert.ok(share(2) <= 2, `the busy server got ${share(2)} of 24 calls`);
  assert.ok(share(0) >= share(1), 'the idle server got the most');
  assert.ok(share(1) >= 4, `the second server got ${share(1)}: once the idle one filled up, calls spread`);
});

test('keeps calling on the last known pool while the monitor answers garbage, and says so', async (t) => {
  const servers = await startCalculators(t, 2);
  const monitor = await startFakeMonitor(t);
  monitor.report(servers.map((server) => ({ url: server.url })));
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    allow: loopback,
    monitor: { url: monitor.url, ttlMs: 1, maxAgeMs: 60_000 },
  });
  t.after(() => client.close());
  const errors = record(client, 'statusError');
  const recovered = record(client, 'statusRecovered');

  monitor.answerRaw(200, '{"version":1,"servers":[{"__proto__":{"polluted":true}}]');
  for (let i = 0; i < 20 && errors.length === 0; i++) await callMany(client, 2);
  monitor.answerRaw(200, JSON.stringify({ version: 1, generatedAt: 'x', servers: [{ id: 1 }] }));
  for (let i = 0; i < 40 && errors.length < 2; i++) await callMany(client, 2);

  assert.ok(errors.length >= 2);
  assert.ok(errors.every((event) => event.error.code === ErrorCode.StatusInvalid));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal((await callMany(client, 10)).length, 10, 'calls went on');

  monitor.report(servers.map((server) => ({ url: server.url })));
  for (let i = 0; i < 40 && recovered.length === 0; i++) await callMany(client, 2);
  assert.equal(recovered.length, 1);
});

test('does not make calls wait for a status refresh that hangs', async (t) => {
  const servers = await startCalculators(t, 2);
  const monitor = await startFakeMonitor(t);
  monitor.report(servers.map((server) => ({ url: server.url })));
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    allow: loopback,
    monitor: { url: monitor.url, ttlMs: 1, maxAgeMs: 60_000, timeoutMs: 60_000 },
  });
  t.after(() => client.close());
  monitor.hang();
  const before = monitor.requests.length;

  await until(() => client.balancer.servers().length === 2, 'nothing');
  const served = await callMany(client, 10);
  await callMany(client, 10);

  assert.equal(served.length, 10);
  assert.equal(
    monitor.requests.length,
    before + 1,
    'one refresh is pending; no call started another or waited',
  );
});

test('stops trusting the status after maxAgeMs without an answer, and calls the server it had marked down', async (t) => {
  const servers = await startCalculators(t, 2);
  const monitor = await startFakeMonitor(t);
  monitor.report([{ url: servers[0]!.url }, { url: servers[1]!.url, state: 'down' }]);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    allow: loopback,
    monitor: { url: monitor.url, ttlMs: 20, maxAgeMs: 50 },
  });
  t.after(() => client.close());
  const expired = record(client, 'statusExpired');
  monitor.answerRaw(500, 'monitor broken');

  await until(() => {
    poke(client);
    return expired.length > 0;
  }, 'the status to expire');
  const served = await callMany(client, 30);
  assert.ok(served.includes(servers[1]!.name), 'the server the stale status called down gets calls again');
  assert.equal(client.balancer.servers()[1]?.status, undefined);
});

test('revalidates with If-None-Match and takes a 304 as fresh', async (t) => {
  const servers = await startCalculators(t, 1);
  const monitor = await startFakeMonitor(t);
  monitor.report([{ url: servers[0]!.url }]);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    allow: loopback,
    monitor: { url: monitor.url, ttlMs: 1, maxAgeMs: 60_000 },
  });
  t.after(() => client.close());
  const updates = record(client, 'statusUpdate');

  await until(() => {
    poke(client);
    return updates.length > 0;
  }, 'a revalidation');
  assert.equal(updates[0]?.changed, false);
  assert.equal(monitor.requests.at(-1)?.ifNoneMatch, '"1"');
});

test('fails with SOAPBAL_STATUS_UNAVAILABLE when the monitor is down and no servers are given', async (t) => {
  const dead = await refusedUrl();
  const error = await createBalancedClient('http://127.0.0.1:1/calculator?wsdl', {
    allow: loopback,
    monitor: { url: `${dead}/status`, timeoutMs: 500 },
  }).catch((reason: unknown) => reason);
  assert.ok(isSoapBalancerError(error));
  assert.equal(error.code, ErrorCode.StatusUnavailable);
  void t;
});

test('starts on the given servers when the monitor is down, and reports it', async (t) => {
  const servers = await startCalculators(t, 2);
  const dead = await refusedUrl();
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    servers: servers.map((server) => server.url),
    allow: loopback,
    monitor: { url: `${dead}/status`, timeoutMs: 500 },
  });
  t.after(() => client.close());

  assert.equal((await callMany(client, 4)).length, 4);
  assert.equal(client.balancer.servers().length, 2);
});

test('a monitor that lists a foreign origin as up gets it no call and no credential (default allow rule)', async (t) => {
  const [server] = await startCalculators(t, 1);
  const foreign = await startPlainServer(t, (_, response) => {
    response.writeHead(200, { 'Content-Type': 'text/xml' }).end('<stolen/>');
  });
  const monitor = await startFakeMonitor(t);
  monitor.report([{ url: server!.url }]);
  const client = await createBalancedClient(server!.wsdlUrl, {
    servers: [server!.url],
    monitor: { url: monitor.url, ttlMs: 1 },
  });
  t.after(() => client.close());
  client.setSecurity(new BasicAuthSecurity('app', 'secret'));
  const notAllowed = record(client, 'serverNotAllowed');

  monitor.report([{ url: server!.url }, { url: foreign.url }, { url: 'http://attacker.example:80' }]);
  await until(() => {
    poke(client);
    return notAllowed.length === 2;
  }, 'the client to read the hostile status');
  const served = await callMany(client, 40);

  assert.equal(served.length, 40);
  assert.equal(foreign.hits(), 0, 'the foreign origin received nothing');
  assert.deepEqual(
    client.balancer.servers().map((info) => info.url),
    [server!.url],
  );
  assert.deepEqual(
    notAllowed.map((event) => event.server).sort(),
    [foreign.url, 'http://attacker.example'].sort(),
  );
});

test('a monitor that lists 10,000 refusing servers does not break calls (they are not allowed)', async (t) => {
  const servers = await startCalculators(t, 2);
  const dead = await refusedUrl();
  const monitor = await startFakeMonitor(t);
  const flood = Array.from({ length: 9_998 }, (_, i) => ({ url: `http://10.255.${i >> 8}.${i & 255}:9` }));
  monitor.report(
    [...servers.map((server) => ({ url: server.url })), { url: dead }, ...flood].slice(0, 10_000),
  );
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    servers: servers.map((server) => server.url),
    monitor: { url: monitor.url, ttlMs: 1 },
  });
  t.after(() => client.close());

  const served = await callMany(client, 60);
  assert.equal(served.length, 60, 'every call succeeded');
  assert.equal(client.balancer.servers().length, 2);
});

test('allow patterns admit the servers a monitor-only pool needs, and only those', async (t) => {
  const servers = await startCalculators(t, 2);
  const monitor = await startFakeMonitor(t);
  monitor.report([{ url: servers[0]!.url }, { url: servers[1]!.url }, { url: 'http://localhost:1' }]);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    monitor: { url: monitor.url },
    allow: (url) => url.hostname === '127.0.0.1',
  });
  t.after(() => client.close());

  const served = await callMany(client, 30);
  assert.deepEqual(new Set(served), new Set(servers.map((server) => server.name)));
  assert.deepEqual(
    client.balancer.servers().map((info) => info.url),
    [servers[0]!.url, servers[1]!.url],
  );
});
