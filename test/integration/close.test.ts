import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createBalancedClient, ErrorCode, isSoapBalancerError } from '../../src/index.js';
import { assertExitsByItself } from '../helpers/exits-by-itself.js';
import { startCalculators } from '../helpers/servers.js';

test('close() fails the calls in flight and every later call with SOAPBAL_CLOSED', async (t) => {
  const servers = await startCalculators(t, 2, { delayMs: 5_000 });
  const client = await createBalancedClient(servers[0]!.wsdlUrl, { servers: servers.map((s) => s.url) });

  const inFlight = client.AddAsync({ a: 1, b: 1 }).catch((error: unknown) => error);
  while ((servers[0]!.calls.Add ?? 0) + (servers[1]!.calls.Add ?? 0) === 0) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await client.close();
  await client.close();
  const later = await client.AddAsync({ a: 1, b: 1 }).catch((error: unknown) => error);

  for (const error of [await inFlight, later]) {
    assert.ok(isSoapBalancerError(error));
    assert.equal(error.code, ErrorCode.Closed);
  }
  assert.deepEqual(
    client.balancer.servers().map((server) => server.inFlight),
    [0, 0],
  );
});

test('leaves nothing behind that keeps the process alive after close()', async () => {
  const script = fileURLToPath(new URL('../fixtures/exits-after-close.ts', import.meta.url));
  const output = await assertExitsByItself([script]);
  assert.match(output, /^closed$/m);
});
