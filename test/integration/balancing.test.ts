import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calculatorPath } from '../../examples/calculator/server.js';
import { BALANCER_ENDPOINT, createBalancedClient } from '../../src/index.js';
import { firstEligible } from '../helpers/policies.js';
import { startCalculators } from '../helpers/servers.js';

const wsdlGets = (server: { requests: { method: string; url: string }[] }) =>
  server.requests.filter((request) => request.method === 'GET' && request.url.endsWith('?wsdl')).length;

test('spreads concurrent calls across every server of the pool', async (t) => {
  const servers = await startCalculators(t, 3);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, { servers: servers.map((s) => s.url) });
  t.after(() => client.close());

  const served = await Promise.all(
    Array.from({ length: 60 }, async (_, i) => (await client.AddAsync({ a: i, b: 1 }))[0].server as string),
  );

  for (const server of servers) {
    const share = served.filter((name) => name === server.name).length;
    assert.ok(share >= 10, `${server.name} served ${share} of 60 calls`);
    assert.equal(server.calls.Add, share, 'each call ran once, on the server that answered it');
  }
});

test('fetches the WSDL from one server of the pool and rewrites its addresses to the balancer', async (t) => {
  const servers = await startCalculators(t, 3);
  const client = await createBalancedClient(servers[2]!.wsdlUrl, { servers: servers.map((s) => s.url) });
  t.after(() => client.close());

  const fetchedFrom = servers.filter((server) => wsdlGets(server) > 0);
  assert.equal(fetchedFrom.length, 1, 'exactly one server was asked for the WSDL');
  assert.equal(wsdlGets(fetchedFrom[0]!), 1);
  const { addresses } = client.balancer;
  assert.deepEqual(
    addresses.map((address) => [address.port, address.soapVersion, address.from, address.to]),
    [
      [
        'CalculatorSoap',
        '1.1',
        `${fetchedFrom[0]!.url}${calculatorPath}`,
        `${BALANCER_ENDPOINT}${calculatorPath}`,
      ],
      [
        'CalculatorSoap12',
        '1.2',
        `${fetchedFrom[0]!.url}${calculatorPath}`,
        `${BALANCER_ENDPOINT}${calculatorPath}`,
      ],
    ],
  );
  assert.match(
    client.balancer.wsdl,
    /<soap:address location="http:\/\/soap-balancer\.invalid\/calculator"\/>/,
  );
  assert.doesNotMatch(client.balancer.wsdl, /127\.0\.0\.1/);
});

test('keeps the calls in flight even across servers (least busy)', async (t) => {
  const servers = await startCalculators(t, 2, { delayMs: 200 });
  const client = await createBalancedClient(servers[0]!.wsdlUrl, { servers: servers.map((s) => s.url) });
  t.after(() => client.close());

  const held = Array.from({ length: 4 }, (_, i) => client.AddAsync({ a: i, b: 1 }));
  assert.deepEqual(
    client.balancer.servers().map((server) => server.inFlight),
    [2, 2],
  );
  await Promise.all(held);
  assert.deepEqual(
    servers.map((server) => server.calls.Add),
    [2, 2],
  );
});

test('loads a WSDL whose schema is imported by a relative location, through the balancer', async (t) => {
  const servers = await startCalculators(t, 3, { externalSchema: true });
  const client = await createBalancedClient(servers[0]!.wsdlUrl, { servers: servers.map((s) => s.url) });
  t.after(() => client.close());

  const schemaGets = servers.flatMap((server) => server.requests.filter((r) => r.url === '/calculator.xsd'));
  assert.equal(schemaGets.length, 1, 'the schema was fetched once, from a pool server');
  assert.ok(client.balancer.documents.has('/calculator.xsd'));
  const [result] = await client.AddAsync({ a: 20, b: 22 });
  assert.equal(result.result, 42);
});

test('calls a SOAP 1.2 port through the balancer', async (t) => {
  const servers = await startCalculators(t, 2);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    servers: servers.map((s) => s.url),
    soap: { forceSoap12Headers: true },
  });
  t.after(() => client.close());

  const add = client.CalculatorService.CalculatorSoap12.Add;
  const result = await new Promise<{ result: number }>((resolve, reject) =>
    add({ a: 2, b: 3 }, (error: unknown, value: { result: number }) =>
      error ? reject(error) : resolve(value),
    ),
  );
  assert.equal(result.result, 5);
  const posts = servers.flatMap((server) => server.requests.filter((r) => r.method === 'POST'));
  assert.equal(posts.length, 1);
  assert.match(String(posts[0]!.headers['content-type']), /^application\/soap\+xml/);
});

test('supports callback style, promise style and client[Service][Port][op] alike', async (t) => {
  const servers = await startCalculators(t, 2);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, { servers: servers.map((s) => s.url) });
  t.after(() => client.close());

  const viaCallback = await new Promise<number>((resolve, reject) =>
    client.Add({ a: 1, b: 1 }, (error: unknown, value: { result: number }) =>
      error ? reject(error) : resolve(value.result),
    ),
  );
  const [viaAsync, rawResponse, soapHeader, rawRequest] = await client.AddAsync({ a: 2, b: 2 });
  const viaPort = await new Promise<number>((resolve, reject) =>
    client.CalculatorService.CalculatorSoap.Add(
      { a: 3, b: 3 },
      (error: unknown, value: { result: number }) => (error ? reject(error) : resolve(value.result)),
    ),
  );
  assert.deepEqual([viaCallback, viaAsync.result, viaPort], [2, 4, 6]);
  assert.match(rawResponse, /AddResponse/);
  assert.equal(soapHeader, undefined);
  assert.match(rawRequest, /<tns:a>2<\/tns:a>|<a>2<\/a>/);
});

test('works in node-soap stream mode', async (t) => {
  const servers = await startCalculators(t, 3);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    servers: servers.map((s) => s.url),
    soap: { stream: true },
  });
  t.after(() => client.close());

  const results = await Promise.all(
    Array.from({ length: 9 }, async (_, i) => (await client.AddAsync({ a: i, b: 10 }))[0].result as number),
  );
  assert.deepEqual(results, [10, 11, 12, 13, 14, 15, 16, 17, 18]);
  assert.ok(servers.filter((server) => (server.calls.Add ?? 0) > 0).length >= 2, 'stream calls were spread');
  assert.deepEqual(
    client.balancer.servers().map((server) => server.inFlight),
    [0, 0, 0],
    'every streamed call was released once its body was read',
  );
});

test('sends each call with the Host header of the server it goes to', async (t) => {
  const servers = await startCalculators(t, 2);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    servers: servers.map((s) => s.url),
    policy: firstEligible,
  });
  t.after(() => client.close());

  await client.AddAsync({ a: 1, b: 2 });
  const post = servers[0]!.requests.find((r) => r.method === 'POST');
  assert.equal(post?.headers.host, new URL(servers[0]!.url).host);
  assert.equal(post?.url, calculatorPath);
  assert.equal(client.lastEndpoint, `${BALANCER_ENDPOINT}${calculatorPath}`);
});
