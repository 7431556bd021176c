import assert from 'node:assert/strict';
import { test } from 'node:test';
import axios from 'axios';
import { BasicAuthSecurity, BearerSecurity, HttpClient, WSSecurity } from 'soap';
import { createBalancedClient } from '../../src/index.js';
import { startCalculators } from '../helpers/servers.js';

test('describes the service exactly as node-soap does', async (t) => {
  const servers = await startCalculators(t, 2);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, { servers: servers.map((s) => s.url) });
  t.after(() => client.close());

  const description = client.describe();
  assert.deepEqual(Object.keys(description.CalculatorService), ['CalculatorSoap', 'CalculatorSoap12']);
  assert.deepEqual(Object.keys(description.CalculatorService.CalculatorSoap), ['Add', 'Divide']);
  assert.deepEqual(description.CalculatorService.CalculatorSoap.Add.input, { a: 'xsd:int', b: 'xsd:int' });
});

test('sends Basic and Bearer credentials set with setSecurity', async (t) => {
  const servers = await startCalculators(t, 1);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, { servers: [servers[0]!.url] });
  t.after(() => client.close());
  const authorizations = () =>
    servers[0]!.requests.filter((r) => r.method === 'POST').map((r) => r.headers.authorization);

  client.setSecurity(new BasicAuthSecurity('ada', 'secret'));
  await client.AddAsync({ a: 1, b: 1 });
  client.setSecurity(new BearerSecurity('token-123'));
  await client.AddAsync({ a: 1, b: 1 });

  assert.deepEqual(authorizations(), [
    `Basic ${Buffer.from('ada:secret').toString('base64')}`,
    'Bearer token-123',
  ]);
});

test('adds the WS-Security header and custom SOAP headers to the envelope', async (t) => {
  const servers = await startCalculators(t, 1);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, { servers: [servers[0]!.url] });
  t.after(() => client.close());

  client.setSecurity(new WSSecurity('ada', 'secret', { passwordType: 'PasswordText' }));
  client.addSoapHeader({ TraceId: 'trace-42' });
  const [result] = await client.AddAsync({ a: 2, b: 2 });

  assert.equal(result.result, 4);
  assert.match(client.lastRequest ?? '', /<wsse:Username>ada<\/wsse:Username>/);
  assert.match(client.lastRequest ?? '', /<TraceId>trace-42<\/TraceId>/);
});

test('sends HTTP headers from addHttpHeader and from the per-call argument', async (t) => {
  const servers = await startCalculators(t, 1);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, { servers: [servers[0]!.url] });
  t.after(() => client.close());

  client.addHttpHeader('X-Tenant', 'acme');
  await client.AddAsync({ a: 1, b: 1 }, {}, { 'X-Call': 'one' });

  const post = servers[0]!.requests.find((r) => r.method === 'POST');
  assert.equal(post?.headers['x-tenant'], 'acme');
  assert.equal(post?.headers['x-call'], 'one');
});

test('fills lastRequest, lastResponse, lastEndpoint and lastResponseHeaders', async (t) => {
  const servers = await startCalculators(t, 1);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, { servers: [servers[0]!.url] });
  t.after(() => client.close());

  await client.AddAsync({ a: 5, b: 6 });
  assert.match(client.lastRequest ?? '', /AddRequest/);
  assert.match(String(client.lastResponse), /<result>11<\/result>|:result>11</);
  assert.equal(client.lastEndpoint, 'http://soap-balancer.invalid/calculator');
  assert.match(String(client.lastResponseHeaders?.['content-type']), /xml/);
});

test('emits request, message, response and soapError events', async (t) => {
  const servers = await startCalculators(t, 1);
  const client = await createBalancedClient(servers[0]!.wsdlUrl, { servers: [servers[0]!.url] });
  t.after(() => client.close());
  const events: string[] = [];
  for (const name of ['request', 'message', 'response', 'soapError'] as const) {
    client.on(name as 'response', () => events.push(name));
  }

  await client.AddAsync({ a: 1, b: 1 });
  const fault = await client.DivideAsync({ a: 1, b: 0 }).catch((error: unknown) => error);

  assert.ok(fault instanceof Error);
  assert.deepEqual(events, ['message', 'request', 'response', 'message', 'request', 'response', 'soapError']);
});

test("decorates the caller's own httpClient instead of replacing it", async (t) => {
  const servers = await startCalculators(t, 2);
  const seen: string[] = [];
  class RecordingHttpClient extends HttpClient {
    override request(...args: Parameters<HttpClient['request']>): ReturnType<HttpClient['request']> {
      seen.push(args[0]);
      return super.request(...args);
    }
  }
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    servers: servers.map((s) => s.url),
    soap: { httpClient: new RecordingHttpClient() },
  });
  t.after(() => client.close());

  await Promise.all([client.AddAsync({ a: 1, b: 1 }), client.AddAsync({ a: 1, b: 1 })]);
  assert.equal(seen.length, 3, 'the WSDL fetch and both calls went through it');
  assert.ok(
    seen.every((url) => servers.some((server) => url.startsWith(server.url))),
    'it was handed the real server URLs, not the balancer address',
  );
});

test("decorates the caller's own axios instance (soap.request)", async (t) => {
  const servers = await startCalculators(t, 2);
  const request = axios.create();
  const seen: string[] = [];
  request.interceptors.request.use((config) => {
    seen.push(String(config.url));
    return config;
  });
  const client = await createBalancedClient(servers[0]!.wsdlUrl, {
    servers: servers.map((s) => s.url),
    soap: { request: request as never },
  });
  t.after(() => client.close());

  await client.AddAsync({ a: 1, b: 1 });
  assert.equal(seen.length, 2);
  assert.ok(seen.every((url) => servers.some((server) => url.startsWith(server.url))));
});

test('setEndpoint to a pool server URL keeps calls balanced', async (t) => {
  const servers = await startCalculators(t, 2, { delayMs: 50 });
  const client = await createBalancedClient(servers[0]!.wsdlUrl, { servers: servers.map((s) => s.url) });
  t.after(() => client.close());

  client.setEndpoint(`${servers[0]!.url}/calculator`);
  await Promise.all([client.AddAsync({ a: 1, b: 1 }), client.AddAsync({ a: 1, b: 1 })]);
  assert.deepEqual(
    servers.map((server) => server.calls.Add),
    [1, 1],
  );
});
