/**
 * Faithfulness to node-soap itself: each fixture is opened by node-soap twice, as written (from the
 * pool server) and as rewritten (from the balancer), through an in-memory http client. Both must be
 * described alike, fetch the same documents, and send the same request bytes; the rewritten one must
 * send every call to the endpoint.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import soap from 'soap';
import { rewriteWsdl } from '../../src/wsdl/rewrite.js';
import { fixturePool, readFixture, type WsdlFixture, wsdlFixtures } from '../fixtures/wsdl/index.js';

const endpoint = 'http://soap-balancer.invalid';

type Callback = (error: unknown, response?: unknown, body?: unknown) => void;

/** A SOAP call node-soap sent, with what identifies its origin. */
interface SentCall {
  readonly url: string;
  readonly body: unknown;
  readonly headers: unknown;
}

interface Opened {
  readonly client: soap.Client;
  /** Paths (and queries) of the documents node-soap fetched, in order. */
  readonly fetched: readonly string[];
  readonly sent: SentCall[];
}

type PortsByService = Record<string, { ports: Record<string, { location: string | null }> }>;
type Method = (args: unknown, callback: (error: unknown) => void) => void;

/**
 * node-soap's http client for one side: documents come from the fixture folder (as rewritten by the
 * balancer when `origin` is the endpoint); a call is recorded and answered with an error.
 */
function openFixture(fixture: WsdlFixture, origin: string): Promise<Opened> {
  const fetched: string[] = [];
  const sent: SentCall[] = [];
  const httpClient = {
    request(url: string, data: unknown, callback: Callback, headers?: unknown) {
      if (data !== null && data !== undefined) {
        sent.push({ url, body: data, headers });
        setImmediate(() => callback(new Error('recorded')));
        return;
      }
      const parsed = new URL(url);
      fetched.push(`${parsed.pathname}${parsed.search}`);
      let text: string;
      try {
        assert.ok(url.startsWith(origin), `${url} is not under ${origin}`);
        text = readFixture(parsed.pathname.slice(1));
        if (origin === endpoint) {
          text = rewriteWsdl(text, { endpoint, servers: [fixturePool], baseUrl: url, source: url }).xml;
        }
      } catch (error: unknown) {
        setImmediate(() => callback(error));
        return;
      }
      setImmediate(() => callback(null, { status: 200, data: text }, text));
    },
  };
  const entry = `${origin}/${fixture.documents[0].file}`;
  return soap
    .createClientAsync(entry, { httpClient: httpClient as unknown as soap.IHttpClient })
    .then((client) => ({ client, fetched, sent }));
}

function portsOf(client: soap.Client): PortsByService {
  return client.wsdl.definitions.services as unknown as PortsByService;
}

/** Calls the first operation of every port with no arguments, and returns what was sent. */
async function callEveryPort(opened: Opened): Promise<SentCall[]> {
  const services = opened.client as unknown as Record<string, Record<string, Record<string, Method>>>;
  for (const [service, { ports }] of Object.entries(portsOf(opened.client))) {
    for (const port of Object.keys(ports)) {
      const [method] = Object.values(services[service]?.[port] ?? {});
      if (method !== undefined) await new Promise((resolve) => method({}, resolve));
    }
  }
  return opened.sent;
}

for (const fixture of wsdlFixtures) {
  const entry = fixture.documents[0].file;
  const refused = fixture.refused;
  if (refused !== undefined) {
    test(`node-soap refuses ${entry} as written, and as rewritten alike`, async () => {
      await assert.rejects(openFixture(fixture, fixturePool), refused.nodeSoap);
      await assert.rejects(openFixture(fixture, endpoint), (error: unknown) => {
        const code = (error as { code?: unknown } | null)?.code;
        if (refused.byRewrite) assert.equal(code, 'SOAPBAL_WSDL_INVALID');
        else assert.match(String(error), refused.nodeSoap);
        return true;
      });
    });
    continue;
  }

  test(`node-soap reads ${entry} rewritten as it reads the original, and calls only the endpoint`, async () => {
    const original = await openFixture(fixture, fixturePool);
    const rewritten = await openFixture(fixture, endpoint);

    assert.deepEqual(rewritten.client.describe(), original.client.describe());
    assert.deepEqual(rewritten.fetched, original.fetched);
    assert.deepEqual(
      [...new Set(rewritten.fetched.map((path) => new URL(path, endpoint).pathname.slice(1)))],
      fixture.documents.map((document) => document.file),
    );

    const expected = fixture.documents
      .flatMap((document) => document.addresses)
      .filter((address) => address.dropped === undefined)
      .map(({ service, port, path }) => [service, port, `${endpoint}${path}`]);
    const locations = Object.entries(portsOf(rewritten.client)).flatMap(([service, { ports }]) =>
      Object.entries(ports).map(([port, { location }]) => [service, port, location]),
    );
    assert.deepEqual(locations, expected);

    const sentOriginally = await callEveryPort(original);
    const sent = await callEveryPort(rewritten);
    assert.equal(sent.length, expected.length);
    assert.deepEqual(
      sent.map((call) => call.url),
      expected.map(([, , location]) => location),
    );
    assert.deepEqual(
      sent.map(({ body, headers }) => ({ body, headers })),
      sentOriginally.map(({ body, headers }) => ({ body, headers })),
    );
  });
}
