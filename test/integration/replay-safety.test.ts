import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { CalculatorServer } from '../../examples/calculator/server.js';
import {
  type BalancedSoapClient,
  createBalancedClient,
  ErrorCode,
  isSoapBalancerError,
  type SoapBalancerError,
} from '../../src/index.js';
import { type Fault, startFaultyFront } from '../helpers/faulty-front.js';
import { startCalculators, startPlainServer } from '../helpers/servers.js';

/**
 * A pool of a faulty front (in front of its own replica, which really runs each call it forwards) and
 * two healthy replicas. Every replica counts the calls it ran, so a call run twice shows.
 */
async function poolWithFaultyFront(
  t: TestContext,
  fault: Fault,
  idempotent: boolean,
  options: { readonly downBackoffMs?: number } = {},
) {
  const [hidden, ...healthy] = (await startCalculators(t, 3)) as [CalculatorServer, ...CalculatorServer[]];
  const front = await startFaultyFront(t, hidden.url, fault);
  const client = await createBalancedClient(healthy[0]!.wsdlUrl, {
    servers: [front.url, ...healthy.map((server) => server.url)],
    idempotent,
    ...options,
  });
  t.after(() => client.close());
  const runs = () => [hidden, ...healthy].reduce((sum, server) => sum + (server.calls.Add ?? 0), 0);
  return { client, front, hidden, runs };
}

interface Tally {
  readonly ok: number;
  readonly errors: SoapBalancerError[];
}

/** `count` Add calls, 4 at a time, each awaited to its end. */
async function callMany(client: BalancedSoapClient, count: number): Promise<Tally> {
  let ok = 0;
  const errors: SoapBalancerError[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      try {
        const [answer] = await client.AddAsync({ a: i, b: 1 });
        assert.equal(answer.result, i + 1);
        ok++;
      } catch (error: unknown) {
        assert.ok(isSoapBalancerError(error), `expected a SoapBalancerError, got ${String(error)}`);
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { ok, errors };
}

for (const status of [502, 504]) {
  test(`a non-idempotent call that ran behind a gateway answering ${status} is never run again`, async (t) => {
    const fault: Fault = { kind: 'replace', status, body: '<html>Gateway Timeout</html>' };
    // A short backoff brings the gateway back into the pool within the run, however fast the machine
    // makes the 60 calls, so that it is asked again and again.
    const { client, front, runs } = await poolWithFaultyFront(t, fault, false, { downBackoffMs: 10 });
    const { ok, errors } = await callMany(client, 60);

    assert.equal(runs(), 60, 'each call ran exactly once, wherever it ran');
    assert.ok(front.hits() > 1, 'the gateway was asked');
    assert.equal(ok + errors.length, 60);
    for (const error of errors) {
      assert.equal(error.code, ErrorCode.MaybeDelivered);
      assert.equal(error.mayHaveRun, true);
      assert.deepEqual(
        error.attempts.map((attempt) => [attempt.failure, attempt.status]),
        [['gateway-error', status]],
      );
    }
    assert.ok(errors.length >= 1, 'the calls the gateway ran were reported as maybe delivered');
  });
}

for (const how of ['fin', 'destroy'] as const) {
  test(`a server that closes mid-answer (${how}) is a reset: idempotent calls all succeed, it is marked down`, async (t) => {
    const { client, front } = await poolWithFaultyFront(t, { kind: 'cut', how }, true);
    const downs: string[] = [];
    client.balancer.on('serverDown', (event) => downs.push(event.server));
    const { ok, errors } = await callMany(client, 100);

    assert.deepEqual(
      errors.map((error) => error.message),
      [],
    );
    assert.equal(ok, 100);
    assert.ok(front.hits() > 1);
    assert.ok(downs.includes(front.url), 'the server was marked down');
  });

  test(`a non-idempotent call cut mid-answer (${how}) fails as maybe delivered and runs nowhere else`, async (t) => {
    const { client, runs } = await poolWithFaultyFront(t, { kind: 'cut', how }, false);
    const { ok, errors } = await callMany(client, 40);

    assert.equal(runs(), 40, 'no call ran twice');
    assert.equal(ok + errors.length, 40);
    assert.ok(errors.length >= 1);
    for (const error of errors) {
      assert.equal(error.code, ErrorCode.MaybeDelivered);
      assert.equal(error.attempts[0]?.failure, 'reset');
    }
  });
}

test('a 500 HTML page (not a SOAP Fault) marks the server down and idempotent calls go elsewhere', async (t) => {
  const fault: Fault = { kind: 'replace', status: 500, body: '<html><h1>Internal Server Error</h1></html>' };
  const { client, front } = await poolWithFaultyFront(t, fault, true);
  const { ok, errors } = await callMany(client, 100);

  assert.equal(ok, 100, errors.map((error) => error.message).join('\n'));
  assert.ok(front.hits() >= 1);
  assert.ok(front.hits() <= 10, `the failing server was skipped after failing (${front.hits()} calls)`);
});

test('a 429 with Retry-After: the call goes elsewhere and the server is skipped for that long', async (t) => {
  const [first, second] = await startCalculators(t, 2);
  const throttling = await startPlainServer(t, (_, response) => {
    response.writeHead(429, { 'Retry-After': '60', 'Content-Type': 'text/plain' }).end('slow down');
  });
  const client = await createBalancedClient(first!.wsdlUrl, {
    servers: [first!.url, second!.url, throttling.url],
    maxDownBackoffMs: 120_000,
  });
  t.after(() => client.close());
  const { ok, errors } = await callMany(client, 100);

  assert.equal(ok, 100, errors.map((error) => error.message).join('\n'));
  // Four callers: at most the calls already sent when the first 429 came back reach it (or the WSDL fetch).
  assert.ok(throttling.hits() <= 4, `left alone after its 429 (${throttling.hits()} requests)`);
  const info = client.balancer.servers().find((server) => server.url === throttling.url);
  assert.equal(info?.state, 'down');
  assert.ok((info?.downUntil ?? 0) - Date.now() > 50_000, 'skipped for the 60 s it asked, not a 1 s backoff');
});

test('close() with non-idempotent calls running on a server: SOAPBAL_CLOSED says they may have run', async (t) => {
  const servers = await startCalculators(t, 2);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, { servers: servers.map((s) => s.url) });
  t.after(() => client.close());
  const releases = servers.map((server) => server.hold());
  t.after(() => {
    for (const release of releases) release();
  });
  const calls = Array.from({ length: 10 }, (_, i) =>
    client.AddAsync({ a: i, b: 0 }).then(
      () => assert.fail('the call cannot succeed: the client is closed'),
      (error: unknown) => error,
    ),
  );
  const started = () => servers.reduce((sum, server) => sum + server.held, 0);
  while (started() < 10) await new Promise((resolve) => setImmediate(resolve));

  await client.close();
  for (const error of await Promise.all(calls)) {
    assert.ok(isSoapBalancerError(error));
    assert.equal(error.code, ErrorCode.Closed);
    assert.equal(error.mayHaveRun, true, error.message);
    assert.match(error.message, /may have run/);
  }
  const after = await client.AddAsync({ a: 1, b: 1 }).catch((error: unknown) => error);
  assert.ok(isSoapBalancerError(after));
  assert.equal(after.code, ErrorCode.Closed);
  assert.equal(after.mayHaveRun, false, 'a call made after close() reached no server');
});
