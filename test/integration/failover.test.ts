import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createBalancedClient,
  ErrorCode,
  isSoapBalancerError,
  type SoapBalancerError,
} from '../../src/index.js';
import { firstEligible } from '../helpers/policies.js';
import { refusedUrl, startCalculators, startHangingServer, startPlainServer } from '../helpers/servers.js';

async function rejection(promise: Promise<unknown>): Promise<SoapBalancerError> {
  const error = await promise.then(
    () => assert.fail('expected the call to fail'),
    (reason: unknown) => reason,
  );
  assert.ok(isSoapBalancerError(error), `expected a SoapBalancerError, got ${String(error)}`);
  return error;
}

test('keeps 200 idempotent calls succeeding while a server is killed in the middle of the run', async (t) => {
  const servers = await startCalculators(t, 3, { delayMs: 5 });
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    servers: servers.map((s) => s.url),
    idempotent: ['Add'],
  });
  t.after(() => client.close());
  const victim = servers[1]!;

  let started = 0;
  const results: number[] = [];
  const worker = async () => {
    while (started < 200) {
      const i = started++;
      if (i === 100) victim.kill();
      results[i] = (await client.AddAsync({ a: i, b: 0 }))[0].result;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));

  assert.deepEqual(
    results,
    Array.from({ length: 200 }, (_, i) => i),
  );
  // Only the calls cut by the kill (at most one per caller: 8) may have run twice.
  const runs = servers.reduce((sum, server) => sum + (server.calls.Add ?? 0), 0);
  assert.ok(runs >= 200 && runs <= 208, `${runs} runs for 200 calls`);
  assert.equal(client.balancer.servers()[1]?.state, 'down');
});

test('passes a SOAP Fault to the caller once, without retrying it', async (t) => {
  const servers = await startCalculators(t, 3);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    servers: servers.map((s) => s.url),
    idempotent: true,
  });
  t.after(() => client.close());

  const error = await client.DivideAsync({ a: 1, b: 0 }).then(
    () => assert.fail('expected a fault'),
    (reason: unknown) => reason as { root?: { Envelope?: { Body?: { Fault?: { faultstring?: string } } } } },
  );
  assert.equal(isSoapBalancerError(error), false, 'the fault is the service answer, untouched');
  assert.equal(error.root?.Envelope?.Body?.Fault?.faultstring, 'Division by zero');
  const runs = servers.reduce((sum, server) => sum + (server.calls.Divide ?? 0), 0);
  assert.equal(runs, 1, 'the faulting operation ran exactly once');
  assert.deepEqual(
    client.balancer.servers().map((server) => server.state),
    ['up', 'up', 'up'],
  );
});

test('fails over from a server that refuses connections, also for a non-idempotent call', async (t) => {
  const [healthy] = await startCalculators(t, 1);
  const dead = await refusedUrl();
  const failovers: unknown[] = [];
  const client = await createBalancedClient(healthy!.wsdlUrl, {
    servers: [dead, healthy!.url],
    policy: firstEligible,
    downBackoffMs: 1,
    maxDownBackoffMs: 1,
  });
  t.after(() => client.close());
  client.balancer.on('failover', (event) => failovers.push(event));
  // The WSDL fetch already failed over; wait out the dead server's backoff so the call tries it first.
  await new Promise((resolve) => setTimeout(resolve, 5));

  const [result] = await client.AddAsync({ a: 1, b: 2 });
  assert.equal(result.result, 3);
  assert.deepEqual(failovers, [
    { operation: 'Add', from: dead, to: healthy!.url, failure: 'unreachable', attempt: 2 },
  ]);
  assert.equal(healthy!.calls.Add, 1);
});

test('fails over from a server that answers 503 with an HTML page', async (t) => {
  const [healthy] = await startCalculators(t, 1);
  const overloaded = await startPlainServer(t, (_, response) => {
    response
      .writeHead(503, { 'Content-Type': 'text/html' })
      .end('<html><body>Service Unavailable</body></html>');
  });
  const client = await createBalancedClient(healthy!.wsdlUrl, {
    servers: [overloaded.url, healthy!.url],
    policy: firstEligible,
    downBackoffMs: 1,
    maxDownBackoffMs: 1,
  });
  t.after(() => client.close());

  await new Promise((resolve) => setTimeout(resolve, 5));
  const [result] = await client.AddAsync({ a: 40, b: 2 });
  assert.equal(result.result, 42);
  assert.equal(overloaded.hits(), 2, 'the WSDL fetch and the call both tried it first');
  assert.equal(healthy!.calls.Add, 1);
});

test('gives up on a server that never answers after timeoutMs, and does not repeat a non-idempotent call', async (t) => {
  const [healthy] = await startCalculators(t, 1);
  const hanging = await startHangingServer(t);
  const client = await createBalancedClient(healthy!.wsdlUrl, {
    servers: [hanging.url, healthy!.url],
    policy: firstEligible,
    timeoutMs: 200,
    downBackoffMs: 1,
    maxDownBackoffMs: 1,
  });
  t.after(() => client.close());
  assert.equal(hanging.hits(), 1, 'the WSDL fetch timed out there, then went elsewhere');
  await new Promise((resolve) => setTimeout(resolve, 5));

  const error = await rejection(client.AddAsync({ a: 1, b: 1 }));
  assert.equal(error.code, ErrorCode.MaybeDelivered);
  assert.equal(error.operation, 'Add');
  assert.deepEqual(
    error.attempts.map((attempt) => [attempt.server, attempt.failure]),
    [[hanging.url, 'timeout']],
  );
  assert.equal(healthy!.calls.Add, undefined, 'not repeated elsewhere');
});

test('repeats a timed-out call on another server when the operation is idempotent', async (t) => {
  const [healthy] = await startCalculators(t, 1);
  const hanging = await startHangingServer(t);
  const client = await createBalancedClient(healthy!.wsdlUrl, {
    servers: [hanging.url, healthy!.url],
    policy: firstEligible,
    timeoutMs: 200,
    idempotent: (operation) => operation === 'Add',
    downBackoffMs: 1,
    maxDownBackoffMs: 1,
  });
  t.after(() => client.close());
  await new Promise((resolve) => setTimeout(resolve, 5));

  const [result] = await client.AddAsync({ a: 2, b: 2 });
  assert.equal(result.result, 4);
  assert.equal(hanging.hits(), 2);
});

test('reports a call cut off by a dying server as maybe delivered, and runs it nowhere else', async (t) => {
  const servers = await startCalculators(t, 2);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    servers: servers.map((s) => s.url),
    policy: firstEligible,
  });
  t.after(() => client.close());
  servers[0]!.setDelay(10_000);

  const call = client.AddAsync({ a: 1, b: 1 });
  while (servers[0]!.calls.Add === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
  servers[0]!.kill();

  const error = await rejection(call);
  assert.equal(error.code, ErrorCode.MaybeDelivered);
  assert.equal(error.attempts[0]?.failure, 'reset');
  assert.equal(servers[1]!.calls.Add, undefined);
});

test('fails at once with SOAPBAL_NO_SERVER_AVAILABLE when every server is down', async (t) => {
  const servers = await startCalculators(t, 2);
  // Idempotent: a pooled connection to a killed server fails as a reset, which is retried only then.
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    servers: servers.map((s) => s.url),
    idempotent: true,
  });
  t.after(() => client.close());
  for (const server of servers) server.kill();

  const first = await rejection(client.AddAsync({ a: 1, b: 1 }));
  assert.equal(first.code, ErrorCode.AttemptsExhausted);
  assert.deepEqual(first.serversTried.toSorted(), servers.map((s) => s.url).toSorted());

  const second = await rejection(client.AddAsync({ a: 1, b: 1 }));
  assert.equal(second.code, ErrorCode.NoServerAvailable);
  assert.deepEqual(second.attempts, []);
});

test('tries a failed server again once its backoff has passed', async (t) => {
  const servers = await startCalculators(t, 1);
  const dead = await refusedUrl();
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    servers: [servers[0]!.url, dead],
    policy: {
      name: 'last-eligible',
      pick: (view) => view.servers.findLast((server) => view.isEligible(server)),
    },
    downBackoffMs: 50,
    maxDownBackoffMs: 50,
  });
  t.after(() => client.close());
  const downEvents: string[] = [];
  client.balancer.on('serverDown', (event) => downEvents.push(event.server));

  await new Promise((resolve) => setTimeout(resolve, 100));
  await client.AddAsync({ a: 1, b: 1 });
  assert.deepEqual(downEvents, [dead], 'after the backoff the dead server was tried (and failed) again');
});
