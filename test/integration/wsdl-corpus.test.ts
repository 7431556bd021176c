/**
 * Drop-in over the WSDL fixture corpus, end to end: each document is served by real HTTP servers and
 * opened by plain node-soap and by createBalancedClient. Both must be described alike and send the
 * same request bytes, and every call of the balanced client must reach a pool server, never the host
 * an address names (and so never bypass the balancer).
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { type TestContext, test } from 'node:test';
import soap from 'soap';
import { type BalancedSoapClient, createBalancedClient } from '../../src/index.js';
import { readFixture, type WsdlFixture, wsdlFixtures } from '../fixtures/wsdl/index.js';
import { startPlainServer } from '../helpers/servers.js';

interface Received {
  readonly path: string;
  readonly body: string;
  readonly soapAction: string | undefined;
  readonly contentType: string | undefined;
}

interface FixtureServer {
  readonly url: string;
  /** The SOAP calls it received. */
  readonly calls: Received[];
  /** Every request: method and path. */
  readonly requests: string[];
}

/**
 * Serves a fixture's documents (with `serveFor()` in place of the pool's base URL), and `extra`
 * documents by path, and records calls.
 */
async function startFixtureServer(
  t: TestContext,
  serveFor: () => string,
  extra: Record<string, string> = {},
): Promise<FixtureServer> {
  const calls: Received[] = [];
  const requests: string[] = [];
  const server = await startPlainServer(t, (request, response) => {
    requests.push(`${request.method} ${request.url}`);
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (request.method === 'GET') {
      let text: string;
      try {
        text = extra[path] ?? readFixture(decodeURIComponent(path.slice(1)), serveFor());
      } catch {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'Content-Type': 'text/xml' }).end(text);
      return;
    }
    readBody(request).then((body) => {
      calls.push({
        path: request.url ?? '',
        body,
        soapAction: request.headers.soapaction as string | undefined,
        contentType: request.headers['content-type'],
      });
      response.writeHead(500, { 'Content-Type': 'text/xml' }).end(fault);
    });
  });
  return { url: server.url, calls, requests };
}

const fault =
  '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>' +
  '<faultcode>soap:Server</faultcode><faultstring>recorded</faultstring></soap:Fault></soap:Body></soap:Envelope>';

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
  });
}

type Method = (args: unknown, callback: (error: unknown) => void) => void;

/** Calls the first operation of every port with no arguments; every call ends (here, in a Fault). */
async function callEveryPort(client: soap.Client): Promise<number> {
  const services = client as unknown as Record<string, Record<string, Record<string, Method>>>;
  let calls = 0;
  for (const [service, ports] of Object.entries(client.describe() as Record<string, object>)) {
    for (const port of Object.keys(ports)) {
      const [method] = Object.values(services[service]?.[port] ?? {});
      if (method === undefined) continue;
      calls++;
      // Plain node-soap throws at once for an address it cannot call (a relative one).
      await new Promise((resolve) => {
        try {
          method({}, resolve);
        } catch (error: unknown) {
          resolve(error);
        }
      });
    }
  }
  return calls;
}

function withoutHost(received: readonly Received[]) {
  return received.map(({ body, soapAction, contentType }) => ({ body, soapAction, contentType }));
}

async function openBoth(t: TestContext, fixture: WsdlFixture) {
  let base = '';
  const first = await startFixtureServer(t, () => base);
  base = first.url;
  // The second replica serves the same documents, naming the first as the WSDL's author did.
  const second = await startFixtureServer(t, () => first.url);
  const entry = `${first.url}/${fixture.documents[0].file}`;
  const plain = await soap.createClientAsync(entry);
  const plainCalls = await callEveryPort(plain);
  const plainReceived = [...first.calls];
  first.calls.length = 0;
  const balanced = await createBalancedClient(entry, { servers: [first.url, second.url] });
  t.after(() => balanced.close());
  return { first, second, plain, plainCalls, plainReceived, balanced };
}

for (const fixture of wsdlFixtures.filter((candidate) => candidate.refused === undefined)) {
  const entry = fixture.documents[0].file;
  test(`opens ${entry} like node-soap, sends the same bytes, and only to the pool`, async (t) => {
    const { first, second, plain, plainCalls, plainReceived, balanced } = await openBoth(t, fixture);

    assert.deepEqual(balanced.describe(), plain.describe());
    const balancedCalls = await callEveryPort(balanced);
    assert.equal(balancedCalls, plainCalls);
    const received = [...first.calls, ...second.calls];
    assert.equal(received.length, balancedCalls, 'every call reached a pool server');
    // node-soap called the pool server for the addresses that name it; the others it could not reach.
    if (plainReceived.length === plainCalls) {
      assert.deepEqual(withoutHost(received).sort(byBody), withoutHost(plainReceived).sort(byBody));
    } else {
      const plainBodies = new Set(plainReceived.map((call) => call.body));
      for (const body of plainBodies) assert.ok(received.some((call) => call.body === body));
    }
    for (const address of balanced.balancer.addresses) {
      assert.ok(address.to.startsWith('http://soap-balancer.invalid/'), address.to);
    }
  });
}

function byBody(a: { body: string }, b: { body: string }): number {
  return a.body < b.body ? -1 : a.body > b.body ? 1 : 0;
}

test('a WSDL imported from a host outside the pool is fetched from there and rewritten: calls go to the pool', async (t) => {
  // The foreign host serves the concrete WSDL, whose addresses name the foreign host itself.
  let foreignBase = '';
  const foreign = await startFixtureServer(t, () => foreignBase);
  foreignBase = foreign.url;
  const entryDocument = `<?xml version="1.0"?><wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:calc">
  <wsdl:import namespace="urn:calc" location="${foreign.url}/several-services.wsdl"/>
</wsdl:definitions>`;
  const pool = [
    await startFixtureServer(t, () => foreign.url, { '/entry': entryDocument }),
    await startFixtureServer(t, () => foreign.url, { '/entry': entryDocument }),
  ];
  const entry = `${pool[0]!.url}/entry?wsdl`;
  const plain = await soap.createClientAsync(entry);
  const client: BalancedSoapClient = await createBalancedClient(entry, {
    servers: pool.map((server) => server.url),
  });
  t.after(() => client.close());

  assert.deepEqual(client.describe(), plain.describe());
  const requestsBefore = foreign.requests.length;
  const calls = await callEveryPort(client);
  assert.equal(foreign.requests.length, requestsBefore, 'the foreign host got the document fetch, no call');
  assert.equal(pool[0]!.calls.length + pool[1]!.calls.length, calls, 'the calls went to the pool');
  assert.deepEqual(
    [...client.balancer.documents.keys()],
    ['/entry?wsdl', `${foreign.url}/several-services.wsdl`],
  );
  assert.equal(client.balancer.addresses.length, 4);
  for (const address of client.balancer.addresses) {
    assert.ok(address.to.startsWith('http://soap-balancer.invalid/'), address.to);
  }
});

test('a WSDL without any address opens as with node-soap; an explicit pool endpoint is balanced', async (t) => {
  const withoutAddresses = (base: string) =>
    readFixture('several-services.wsdl', base).replace(/<soap(12)?:address[^>]*>/g, '');
  let base = '';
  const first = await startFixtureServer(t, () => base, { '/fragment': withoutAddresses('') });
  base = first.url;
  const second = await startFixtureServer(t, () => first.url, { '/fragment': withoutAddresses('') });
  const entry = `${first.url}/fragment?wsdl`;
  const plain = await soap.createClientAsync(entry);
  const described = await createBalancedClient(entry, { servers: [first.url, second.url] });
  t.after(() => described.close());
  assert.deepEqual(described.describe(), plain.describe());
  assert.deepEqual(described.balancer.addresses, []);

  const withEndpoint = await createBalancedClient(entry, {
    servers: [first.url, second.url],
    soap: { endpoint: `${first.url}/calc` },
  });
  t.after(() => withEndpoint.close());
  const method = (withEndpoint as unknown as Record<string, Method>).Add as Method;
  for (let i = 0; i < 8; i++) await new Promise((resolve) => method({}, resolve));
  const pathsCalled = [...first.calls, ...second.calls].map((call) => call.path);
  assert.deepEqual(
    pathsCalled,
    Array(8).fill('/calc'),
    'every call reached a pool server at the endpoint path',
  );
  assert.ok(second.calls.length > 0 && first.calls.length > 0, 'balanced over the pool');
});
