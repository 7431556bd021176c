import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import soap from 'soap';
import { calculatorWsdl } from '../../examples/calculator/wsdl.js';
import { createBalancedClient, ErrorCode, isSoapBalancerError } from '../../src/index.js';
import { startCalculators, startHangingServer } from '../helpers/servers.js';

test('three replicas that accept and never answer cost one fetch budget: every one is asked, in parallel', async (t) => {
  const hanging = [await startHangingServer(t), await startHangingServer(t), await startHangingServer(t)];
  const error = await createBalancedClient(`${hanging[0]!.url}/calculator?wsdl`, {
    servers: hanging.map((server) => server.url),
    fetchTimeoutMs: 900,
  }).then(
    () => assert.fail('expected the WSDL fetch to fail'),
    (reason: unknown) => reason,
  );

  assert.ok(isSoapBalancerError(error));
  assert.equal(error.code, ErrorCode.AttemptsExhausted);
  assert.deepEqual(
    error.attempts.map((attempt) => attempt.failure),
    ['timeout', 'timeout', 'timeout'],
  );
  assert.deepEqual(
    hanging.map((server) => server.hits()),
    [1, 1, 1],
    'hedged: each replica got the fetch once',
  );
});

test('a replica that hangs on the WSDL is hedged: the next one answers and the client works', async (t) => {
  const hung = await startHangingServer(t);
  const [healthy] = await startCalculators(t, 1);
  const client = await createBalancedClient(healthy!.wsdlUrl, {
    servers: [hung.url, healthy!.url],
    policy: { name: 'in-order', pick: (view) => view.servers.find((server) => view.isEligible(server)) },
    timeoutMs: 100,
  });
  t.after(() => client.close());

  assert.equal(hung.hits(), 1, 'asked first');
  const [answer] = await client.AddAsync({ a: 20, b: 22 });
  assert.equal(answer.result, 42);
});

/** A server of the Calculator WSDL that counts its open connections. */
async function wsdlServer(t: TestContext): Promise<{ url: string; open: () => number }> {
  let open = 0;
  let url = '';
  const server: Server = createServer((_, response) => {
    response
      .writeHead(200, { 'Content-Type': 'text/xml' })
      .end(calculatorWsdl({ address: `${url}/calculator` }));
  });
  server.on('connection', (socket) => {
    open++;
    socket.on('close', () => open--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url, open: () => open };
}

test('a failure after the WSDL loaded still closes the client’s connections, and is reported as is', async (t) => {
  const server = await wsdlServer(t);
  // A node-soap without the private method the balancer relies on: client creation fails after the fetch.
  const prototype = soap.Client.prototype as unknown as { _invoke: unknown };
  const invoke = prototype._invoke;
  prototype._invoke = undefined;
  t.after(() => {
    prototype._invoke = invoke;
  });

  await assert.rejects(
    createBalancedClient(`${server.url}/calculator?wsdl`, { servers: [server.url] }),
    /Unsupported node-soap version/,
  );
  prototype._invoke = invoke;
  // The kept-alive connection of the WSDL fetch is closed by the client at once, not after its idle timeout.
  for (let i = 0; i < 200 && server.open() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(server.open(), 0, 'no connection of the failed client is left open');
});
