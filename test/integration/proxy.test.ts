// The proxy in-process, in front of real node-soap replicas and misbehaving HTTP servers.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { type TestContext, test } from 'node:test';
import { createClientAsync } from 'soap';
import type { CalculatorServer } from '../../examples/calculator/server.js';
import { createMonitor } from '../../src/index.js';
import { type Fault, startFaultyFront } from '../helpers/faulty-front.js';
import { waitFor } from '../helpers/monitor.js';
import { firstEligible } from '../helpers/policies.js';
import { addRequest, rawExchange, soap11, soap12, startProxy } from '../helpers/proxy.js';
import { startCalculators, startPlainServer } from '../helpers/servers.js';

const addAction = '"http://example.com/calculator/Add"';

test('an unchanged node-soap client loads the WSDL from the proxy, its calls spread over the replicas, a Fault stays a Fault', async (t) => {
  const replicas = await startCalculators(t, 3);
  const proxy = await startProxy(t, { servers: replicas.map((replica) => replica.url) });
  const client = await createClientAsync(`${proxy.url}/calculator?wsdl`);
  for (const port of ['CalculatorSoap', 'CalculatorSoap12']) {
    assert.equal(
      client.wsdl.definitions.services.CalculatorService?.ports[port]?.location,
      `${proxy.url}/calculator`,
    );
  }
  const served = await Promise.all(
    Array.from({ length: 30 }, async (_, index) => {
      const [answer] = await client.AddAsync({ a: index, b: 1 });
      assert.equal(answer.result, index + 1);
      return answer.server as string;
    }),
  );
  assert.deepEqual(new Set(served), new Set(['calc-1', 'calc-2', 'calc-3']));
  await assert.rejects(
    client.DivideAsync({ a: 1, b: 0 }),
    (error: { root?: unknown; response?: { status: number } }) => {
      assert.equal(error.response?.status, 500);
      assert.match(JSON.stringify(error.root), /Division by zero/);
      return true;
    },
  );
  assert.equal(
    replicas.reduce((sum, replica) => sum + (replica.calls.Divide ?? 0), 0),
    1,
  );
});

test("the proxy takes a server's load from the endpoint-load-metrics header of each answer", async (t) => {
  const [replica] = await startCalculators(t, 1, { loadReport: true, capacity: 4 });
  const proxy = await startProxy(t, { servers: [replica!.url] });
  assert.equal(proxy.servers()[0]?.load, undefined);
  const client = await createClientAsync(`${proxy.url}/calculator?wsdl`);
  const [answer] = await client.AddAsync({ a: 1, b: 2 });
  assert.equal(answer.result, 3);
  // Nothing else was outstanding on the replica when it answered.
  assert.equal(proxy.servers()[0]?.load, 0);
});

test('the public URL written into documents is the configured one, never the Host header', async (t) => {
  const replicas = await startCalculators(t, 1, { externalSchema: true });
  const listening = await startProxy(t, { servers: [replicas[0]!.url] });
  const configured = await startProxy(t, {
    servers: [replicas[0]!.url],
    publicUrl: 'https://soap.example.com:8443',
  });
  for (const [proxy, expected] of [
    [listening, listening.url],
    [configured, 'https://soap.example.com:8443'],
  ] as const) {
    const raw = await rawExchange(
      proxy.url,
      'GET /calculator?wsdl HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n',
    );
    assert.match(raw, /^HTTP\/1\.1 200/);
    const locations = [...raw.matchAll(/location="([^"]*)"/g)].map((match) => match[1]);
    assert.deepEqual(locations, [`${expected}/calculator`, `${expected}/calculator`]);
    assert.ok(!raw.includes('attacker.example') && !raw.includes(replicas[0]!.url), raw);
    // The relative schema import stays relative, and the schema itself comes through the proxy.
    assert.match(raw, /schemaLocation="calculator\.xsd"/);
  }
  const schema = await fetch(`${listening.url}/calculator.xsd`);
  assert.equal(schema.status, 200);
  assert.match(await schema.text(), /AddRequest/);
});

test('a document with a DOCTYPE is refused, other content passes untouched, a 404 stays a 404', async (t) => {
  const server = await startPlainServer(t, (request, response) => {
    if (request.url === '/evil?wsdl') {
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><definitions/>',
      );
    } else if (request.url === '/page') {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><p>hello</p>');
    } else response.writeHead(404).end();
  });
  const proxy = await startProxy(t, { servers: [server.url] });
  const evil = await fetch(`${proxy.url}/evil?wsdl`);
  assert.equal(evil.status, 502);
  assert.match(await evil.text(), /SOAPBAL_WSDL_UNSAFE|DOCTYPE/);
  const page = await fetch(`${proxy.url}/page`);
  assert.equal(page.status, 200);
  assert.equal(await page.text(), '<!DOCTYPE html><p>hello</p>');
  assert.equal((await fetch(`${proxy.url}/missing`)).status, 404);
});

test('no open proxy: absolute URIs, CONNECT and other methods are refused and reach no server', async (t) => {
  const replicas = await startCalculators(t, 1);
  const proxy = await startProxy(t, { servers: [replicas[0]!.url] });
  const absolute = await rawExchange(
    proxy.url,
    `GET ${replicas[0]!.url}/calculator?wsdl HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  );
  assert.match(absolute, /^HTTP\/1\.1 400/);
  const tunnel = await rawExchange(
    proxy.url,
    'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
  );
  assert.match(tunnel, /^HTTP\/1\.1 405/);
  const put = await fetch(`${proxy.url}/calculator`, { method: 'PUT', body: 'x' });
  assert.equal(put.status, 405);
  assert.equal(put.headers.get('allow'), 'GET, POST');
  // A path that looks like a network path stays on the pool server.
  await fetch(`${proxy.url}//example.com/calculator?wsdl`);
  assert.deepEqual(
    replicas[0]!.requests.map((request) => request.url),
    ['//example.com/calculator?wsdl'],
  );
});

test('a body over the limit is answered 413 and sent nowhere, announced or streamed', async (t) => {
  const replicas = await startCalculators(t, 1);
  const proxy = await startProxy(t, {
    servers: [replicas[0]!.url],
    maxBodyBytes: 1_000,
    replayBodyBytes: 100,
  });
  const announced = await fetch(`${proxy.url}/calculator`, { method: 'POST', body: 'x'.repeat(2_000) });
  assert.equal(announced.status, 413);
  const streamed = await rawExchange(
    proxy.url,
    'POST /calculator HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n' +
      `${(1_500).toString(16)}\r\n${'y'.repeat(1_500)}\r\n0\r\n\r\n`,
  );
  assert.match(streamed, /^HTTP\/1\.1 413/);
  assert.equal(replicas[0]!.requests.length, 0);
});

test('a client that does not finish its headers in time is answered 408 and disconnected', async (t) => {
  const replicas = await startCalculators(t, 1);
  const proxy = await startProxy(t, { servers: [replicas[0]!.url], headersTimeoutMs: 200 });
  // The exchange ends only when the proxy closes the connection: the headers never end.
  const answer = await rawExchange(proxy.url, 'POST /calculator HTTP/1.1\r\nHost: x\r\nX-Slow: ');
  assert.match(answer, /^HTTP\/1\.1 408/);
  assert.equal(replicas[0]!.requests.length, 0);
});

/**
 * A faulty front (its own replica really runs each call) first in the pool, and a healthy replica.
 * Every replica counts the calls it ran, so a call run twice shows.
 */
async function faultyPool(t: TestContext, fault: Fault, idempotent: readonly string[]) {
  const [hidden, healthy] = (await startCalculators(t, 2)) as [CalculatorServer, CalculatorServer];
  const front = await startFaultyFront(t, hidden.url, fault);
  const proxy = await startProxy(t, { servers: [front.url, healthy.url], idempotent, policy: firstEligible });
  const runs = () => (hidden.calls.Add ?? 0) + (healthy.calls.Add ?? 0);
  return { proxy, hidden, healthy, runs };
}

function post(url: string, body: string, headers: Record<string, string>) {
  return fetch(url, { method: 'POST', body, headers });
}

for (const [name, fault, status] of [
  ['a connection reset', { kind: 'drop' }, 502],
  ['a 502 from a gateway', { kind: 'replace', status: 502, body: '<html>Bad Gateway</html>' }, 502],
] as const) {
  test(`a non-idempotent call is not replayed after ${name}: a "may have run" Fault`, async (t) => {
    const { proxy, runs } = await faultyPool(t, fault, []);
    const response = await post(`${proxy.url}/calculator`, soap11(addRequest(1, 2)), {
      'content-type': 'text/xml; charset=utf-8',
      soapaction: addAction,
    });
    assert.equal(response.status, status);
    assert.equal(response.headers.get('x-soap-balancer-error'), 'SOAPBAL_MAYBE_DELIVERED');
    assert.equal(response.headers.get('x-soap-balancer-may-have-run'), 'true');
    const text = await response.text();
    assert.match(
      text,
      /<faultcode>soap:Server<\/faultcode><faultstring>SOAPBAL_MAYBE_DELIVERED: .*MAY HAVE RUN/,
    );
    assert.equal(runs(), 1);
  });
}

test('the operation is read from SOAPAction (1.1), the action parameter (1.2) or the first body element', async (t) => {
  const cases = [
    { idempotent: ['Add'], headers: { 'content-type': 'text/xml', soapaction: addAction } },
    {
      idempotent: ['Add'],
      headers: {
        'content-type': 'application/soap+xml; charset=utf-8; action="http://example.com/calculator/Add"',
      },
    },
    { idempotent: ['AddRequest'], headers: { 'content-type': 'text/xml', soapaction: '""' } },
  ];
  for (const { idempotent, headers } of cases) {
    // The operation is idempotent only under the name the proxy must find: a retried call proves it found it.
    const { proxy, healthy, runs } = await faultyPool(t, { kind: 'drop' }, idempotent);
    const version12 = headers['content-type'].startsWith('application/soap+xml');
    const envelope = version12 ? soap12(addRequest(2, 3)) : soap11(addRequest(2, 3));
    const response = await post(`${proxy.url}/calculator`, envelope, headers);
    const text = await response.text();
    assert.equal(response.status, 200, text);
    assert.match(text, /<result>5<\/result>/);
    assert.equal(healthy.calls.Add, 1);
    assert.equal(runs(), 2);
  }
});

test('a server that dies mid-answer cuts the client off too, and the call is not replayed', async (t) => {
  const { proxy, runs } = await faultyPool(t, { kind: 'cut', how: 'destroy' }, []);
  const response = await post(`${proxy.url}/calculator`, soap11(addRequest(1, 2)), {
    'content-type': 'text/xml',
    soapaction: addAction,
  });
  // The answer's head was already on its way: the client sees the connection cut, as from the server.
  assert.equal(response.status, 200);
  await assert.rejects(response.text());
  assert.equal(runs(), 1);
});

test('a body over the replay bound gets one attempt: an idempotent call is not replayed, since its body is gone', async (t) => {
  const [hidden, healthy] = (await startCalculators(t, 2)) as [CalculatorServer, CalculatorServer];
  const front = await startFaultyFront(t, hidden.url, { kind: 'drop' });
  const proxy = await startProxy(t, {
    servers: [front.url, healthy.url],
    idempotent: ['Add'],
    policy: firstEligible,
    replayBodyBytes: 64,
  });
  const response = await post(`${proxy.url}/calculator`, soap11(addRequest(1, 2)), {
    'content-type': 'text/xml',
    soapaction: addAction,
  });
  assert.equal(response.status, 502);
  assert.equal(response.headers.get('x-soap-balancer-may-have-run'), 'true');
  assert.equal(hidden.calls.Add, 1);
  assert.equal(healthy.calls.Add, undefined);
});

test('a 1.2 call that may have run is answered with a SOAP 1.2 Fault, 504 after a timeout', async (t) => {
  const [replica] = (await startCalculators(t, 1)) as [CalculatorServer];
  const release = replica.hold();
  t.after(release);
  const proxy = await startProxy(t, { servers: [replica.url], timeoutMs: 200 });
  const response = await post(`${proxy.url}/calculator`, soap12(addRequest(1, 1)), {
    'content-type': 'application/soap+xml; action="http://example.com/calculator/Add"',
  });
  assert.equal(response.status, 504);
  assert.match(response.headers.get('content-type') ?? '', /application\/soap\+xml/);
  assert.match(await response.text(), /<soap:Value>soap:Receiver<\/soap:Value>.*MAY HAVE RUN/);
});

test('no server ran the call: 503 with a Fault that says it is safe to send again', async (t) => {
  const server = await startPlainServer(t, (_request, response) => response.writeHead(503).end());
  const proxy = await startProxy(t, { servers: [server.url] });
  const response = await post(`${proxy.url}/calculator`, soap11(addRequest(1, 1)), {
    'content-type': 'text/xml',
  });
  assert.equal(response.status, 503);
  assert.equal(response.headers.get('x-soap-balancer-may-have-run'), 'false');
  assert.match(await response.text(), /safe to send again/);
});

test('large bodies (MTOM-like multipart) stream through both ways byte for byte, with forwarding headers', async (t) => {
  let seen: Record<string, string | string[] | undefined> = {};
  const echo = await startPlainServer(t, (request, response) => {
    seen = request.headers;
    response.writeHead(200, { 'content-type': request.headers['content-type'] ?? '' });
    request.pipe(response);
  });
  const proxy = await startProxy(t, { servers: [echo.url], replayBodyBytes: 64 * 1024 });
  const boundary = 'MIMEBoundary_1';
  const attachment = randomBytes(3 * 1024 * 1024);
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Type: application/xop+xml; type="text/xml"\r\nContent-ID: <root>\r\n\r\n` +
        `${soap11('<Upload xmlns="urn:x"><data><xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:att"/></data></Upload>')}\r\n` +
        `--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-ID: <att>\r\n\r\n`,
    ),
    attachment,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const contentType = `multipart/related; type="application/xop+xml"; start="<root>"; boundary="${boundary}"`;
  const response = await fetch(`${proxy.url}/upload`, {
    method: 'POST',
    body,
    headers: { 'content-type': contentType, 'x-forwarded-for': '203.0.113.9' },
  });
  assert.equal(response.status, 200);
  const echoed = Buffer.from(await response.arrayBuffer());
  assert.equal(
    createHash('sha256').update(echoed).digest('hex'),
    createHash('sha256').update(body).digest('hex'),
  );
  assert.equal(seen['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
  assert.equal(seen.forwarded, `for=127.0.0.1;host="${new URL(proxy.url).host}";proto=http`);
  assert.equal(seen.host, new URL(echo.url).host);
});

test('with a monitor, the pool is the servers it reports that the allow rule admits', async (t) => {
  const replicas = await startCalculators(t, 3);
  const monitor = createMonitor({
    servers: replicas.map((replica) => replica.url),
    intervalMs: 100,
    timeoutMs: 100,
    rise: 1,
    fall: 1,
    healthPath: '/calculator?wsdl',
  });
  t.after(() => monitor.close());
  await monitor.start();
  const { url } = await monitor.listen({ port: 0 });
  // Only the first two replicas' ports are allowed: the third, though reported up, gets nothing.
  const allowed = replicas.slice(0, 2).map((replica) => replica.url);
  const proxy = await startProxy(t, { monitor: { url }, allow: allowed, idempotent: ['Add'] });
  await waitFor(() => proxy.servers().length === 2, "the monitor's servers to join");
  const client = await createClientAsync(`${proxy.url}/calculator?wsdl`);
  await Promise.all(Array.from({ length: 20 }, (_, index) => client.AddAsync({ a: index, b: 1 })));
  assert.deepEqual(
    proxy
      .servers()
      .map((server) => server.url)
      .sort(),
    [...allowed].sort(),
  );
  assert.equal(replicas[2]!.calls.Add, undefined);
});
