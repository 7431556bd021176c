import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { type TestContext, test } from 'node:test';
import { ClientSSLSecurity } from 'soap';
import type { CalculatorServer } from '../../examples/calculator/server.js';
import { createBalancedClient, ErrorCode, isSoapBalancerError } from '../../src/index.js';
import { startCalculators } from '../helpers/servers.js';

// Test-only certificates, all signed by one throwaway CA: see test/fixtures/tls/README.md.
const fixture = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url));
const ca = fixture('ca.pem');
const clientKey = fixture('client-key.pem');
const clientCert = fixture('client-cert.pem');
const serverTls = { key: fixture('server-key.pem'), cert: fixture('server-cert.pem'), ca };

/** HTTPS Calculator replicas that refuse any connection without a client certificate signed by `ca`. */
function startTlsCalculators(t: TestContext, count: number, delayMs = 0): Promise<CalculatorServer[]> {
  return startCalculators(t, count, { tls: serverTls, delayMs });
}

/** An agent for node-soap's per-request options, destroyed when the test ends. */
function agent(t: TestContext, options: ConstructorParameters<typeof Agent>[0]): Agent {
  const created = new Agent(options);
  t.after(() => created.destroy());
  return created;
}

/**
 * A balanced client over `servers` whose WSDL fetch presents the client certificate: node-soap passes
 * `wsdl_options` as the fetch's per-request options, which its http client merges into the axios config.
 */
async function clientOver(t: TestContext, servers: readonly CalculatorServer[]) {
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    servers: servers.map((s) => s.url),
    soap: { wsdl_options: { httpsAgent: agent(t, { key: clientKey, cert: clientCert, ca }) } },
  });
  t.after(() => client.close());
  return client;
}

const posts = (server: CalculatorServer) => server.requests.filter((r) => r.method === 'POST');

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('expected the call to fail'),
    (reason: unknown) => reason,
  );
}

test('ClientSSLSecurity calls are balanced over HTTPS servers that require a client certificate', async (t) => {
  const servers = await startTlsCalculators(t, 2, 20);
  const client = await clientOver(t, servers);

  client.setSecurity(new ClientSSLSecurity(clientKey, clientCert, ca));
  const answers = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => (await client.AddAsync({ a: i, b: 100 }))[0]),
  );

  assert.deepEqual(
    answers.map((answer) => answer.result),
    [100, 101, 102, 103, 104, 105],
  );
  for (const server of servers) {
    assert.ok((server.calls.Add ?? 0) > 0, `${server.name} ran some of the calls`);
    assert.equal(posts(server).length, server.calls.Add, `${server.name} received each of its calls`);
  }
  assert.equal((servers[0]!.calls.Add ?? 0) + (servers[1]!.calls.Add ?? 0), 6);
  assert.deepEqual(new Set(answers.map((answer) => answer.server)), new Set(['calc-1', 'calc-2']));
  const wsdlFetches = servers.flatMap((s) => s.requests).filter((r) => r.method === 'GET');
  assert.deepEqual(
    wsdlFetches.map((r) => r.url),
    ['/calculator?wsdl'],
  );
});

test('a call without a client certificate is refused by the server in the TLS handshake', async (t) => {
  const servers = await startTlsCalculators(t, 2);
  const client = await clientOver(t, servers);

  // Trusts the servers' CA but presents no certificate; node-soap merges per-call options into axios's config.
  const error = await rejection(client.AddAsync({ a: 1, b: 2 }, { httpsAgent: agent(t, { ca }) }));

  // TLS 1.3 alert 116. Not a transport failure for the balancer (every replica would refuse the same
  // credentials): it reaches the caller as the raw axios error, with no failover, no server marked down.
  assert.ok(!isSoapBalancerError(error), 'passed through unwrapped');
  assert.equal((error as { code?: unknown }).code, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  assert.equal((error as { isAxiosError?: unknown }).isAxiosError, true);
  for (const server of servers) assert.deepEqual(posts(server), [], `${server.name} never saw the request`);
  assert.deepEqual(
    client.balancer.servers().map((s) => [s.state, s.failed]),
    [
      ['up', 0],
      ['up', 0],
    ],
  );
});

test('without setSecurity the call fails verifying the server against the default CAs', async (t) => {
  const servers = await startTlsCalculators(t, 2);
  const client = await clientOver(t, servers);

  // wsdl_options only apply to the WSDL fetch: calls use the balancer's own agent, which lacks the test CA.
  const error = await rejection(client.AddAsync({ a: 1, b: 2 }));

  assert.ok(!isSoapBalancerError(error), 'passed through unwrapped');
  assert.equal((error as { code?: unknown }).code, 'SELF_SIGNED_CERT_IN_CHAIN');
  for (const server of servers) assert.deepEqual(posts(server), []);
});

test('the WSDL fetch without a client certificate fails with SOAPBAL_WSDL_LOAD_FAILED', async (t) => {
  const servers = await startTlsCalculators(t, 2);

  const error = await rejection(
    createBalancedClient(servers[0]!.wsdlUrl, {
      servers: servers.map((s) => s.url),
      soap: { wsdl_options: { httpsAgent: agent(t, { ca }) } },
    }),
  );

  assert.ok(isSoapBalancerError(error), `expected a SoapBalancerError, got ${String(error)}`);
  assert.equal(error.code, ErrorCode.WsdlLoadFailed);
  assert.equal((error.cause as { code?: unknown }).code, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  assert.deepEqual(
    servers.flatMap((s) => s.requests),
    [],
    'no server saw an HTTP request',
  );
});
