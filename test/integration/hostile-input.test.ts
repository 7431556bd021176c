import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calculatorWsdl } from '../../examples/calculator/wsdl.js';
import { createBalancedClient, ErrorCode, isSoapBalancerError } from '../../src/index.js';
import { startCalculators, startPlainServer } from '../helpers/servers.js';

async function creationError(wsdlUrl: string, servers: string[]): Promise<unknown> {
  return createBalancedClient(wsdlUrl, { servers }).then(
    async (client) => {
      await client.close();
      assert.fail('expected createBalancedClient to fail');
    },
    (error: unknown) => error,
  );
}

async function serveWsdl(t: Parameters<typeof startPlainServer>[0], body: (url: string) => string) {
  let base = '';
  const server = await startPlainServer(t, (_, response) => {
    response.writeHead(200, { 'Content-Type': 'text/xml' }).end(body(base));
  });
  base = server.url;
  return server;
}

test('rejects a WSDL with an external entity, without ever fetching the entity', async (t) => {
  const target = await startPlainServer(t, (_, response) => response.end('secret'));
  const wsdl = await serveWsdl(
    t,
    (url) =>
      `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "${target.url}/secret">]>` +
      calculatorWsdl({ address: `${url}/calculator` })
        .replace(/^<\?xml[^>]*>/, '')
        .replace('<wsdl:types>', '<wsdl:types><!-- &x; -->'),
  );

  const error = await creationError(`${wsdl.url}/calculator?wsdl`, [wsdl.url]);
  assert.ok(isSoapBalancerError(error));
  assert.equal(error.code, ErrorCode.WsdlUnsafe);
  assert.equal(target.hits(), 0, 'the external entity was never fetched');
});

test('rejects a billion-laughs WSDL before parsing it', async (t) => {
  const lol =
    '<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">';
  const wsdl = await serveWsdl(t, () => `<?xml version="1.0"?><!DOCTYPE d [${lol}]><d>&c;</d>`);
  const error = await creationError(`${wsdl.url}/x?wsdl`, [wsdl.url]);
  assert.ok(isSoapBalancerError(error));
  assert.equal(error.code, ErrorCode.WsdlUnsafe);
});

test('rejects a WSDL that is not XML with SOAPBAL_WSDL_INVALID', async (t) => {
  const wsdl = await serveWsdl(t, () => 'this is not xml');
  const error = await creationError(`${wsdl.url}/x?wsdl`, [wsdl.url]);
  assert.ok(isSoapBalancerError(error));
  assert.equal(error.code, ErrorCode.WsdlInvalid);
});

test('reports a WSDL URL that answers 404 as SOAPBAL_WSDL_LOAD_FAILED with the cause', async (t) => {
  const servers = await startCalculators(t, 1);
  const error = await creationError(`${servers[0]!.url}/no-such-service?wsdl`, [servers[0]!.url]);
  assert.ok(isSoapBalancerError(error));
  assert.equal(error.code, ErrorCode.WsdlLoadFailed);
  assert.match(String((error.cause as Error).message), /404/);
});

test('reports a WSDL fetch that every server fails as SOAPBAL_ATTEMPTS_EXHAUSTED', async (t) => {
  const unavailable = await startPlainServer(t, (_, response) =>
    response.writeHead(503).end('<html>busy</html>'),
  );
  const error = await creationError(`${unavailable.url}/x?wsdl`, [unavailable.url]);
  assert.ok(isSoapBalancerError(error));
  assert.equal(error.code, ErrorCode.AttemptsExhausted);
  assert.deepEqual(
    error.attempts.map((attempt) => [attempt.failure, attempt.status]),
    [['rejected', 503]],
  );
});

test('rejects invalid options with a TypeError or RangeError naming the option', async () => {
  await assert.rejects(createBalancedClient('http://a/x?wsdl', { servers: [] }), {
    name: 'TypeError',
    message: /`servers`/,
  });
  await assert.rejects(createBalancedClient('not a url', { servers: ['http://a'] }), {
    name: 'TypeError',
    message: /`wsdlUrl`.*`not a url` \(string\)/,
  });
  await assert.rejects(createBalancedClient('http://a/x?wsdl', { servers: ['http://a'], maxAttempts: 0 }), {
    name: 'RangeError',
    message: /`maxAttempts`.*`0` \(number\)/,
  });
});
