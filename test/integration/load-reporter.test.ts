import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClientAsync, listen } from 'soap';
import type { CalculatorServer } from '../../examples/calculator/server.js';
import { calculatorWsdl } from '../../examples/calculator/wsdl.js';
import { createBalancedClient } from '../../src/index.js';
import { attachLoadReporter } from '../../src/load-report/reporter.js';
import { defaultLoadReportPath, type LoadReport, parseLoadReport } from '../../src/load-report/schema.js';
import { assertExitsByItself } from '../helpers/exits-by-itself.js';
import { startCalculators } from '../helpers/servers.js';

const busyCalculator = { loadReport: true, capacity: 2, delayMs: 20 } as const;

async function fetchReport(baseUrl: string): Promise<LoadReport> {
  const response = await fetch(`${baseUrl}${defaultLoadReportPath}`);
  assert.equal(response.status, 200);
  const report = parseLoadReport(await response.json());
  assert.ok(report, 'a valid load report');
  return report;
}

/** The figures that do not depend on timing. */
function counts({ inFlight, queued, capacity, served }: LoadReport) {
  return { inFlight, queued, capacity, served };
}

/** Waits for `condition`; a guard fails the test rather than letting it hang. */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await condition())) {
    assert.ok(Date.now() < deadline, `still waiting for ${condition}`);
    await sleep(5);
  }
}

/** Requests the reporter counts: all but its own. */
function countedRequests(server: CalculatorServer): number {
  return server.requests.filter((request) => !request.url.startsWith(defaultLoadReportPath)).length;
}

test('reports the calls being served and the calls waiting for a slot, then what was served', async (t) => {
  const [server] = await startCalculators(t, 1, busyCalculator);
  const client = await createClientAsync(server!.wsdlUrl);

  const release = server!.hold();
  const calls = Array.from({ length: 5 }, (_, i) => client.AddAsync({ a: i, b: 1 }));
  await until(() => server!.held === 2 && server!.queued === 3);
  // 5 HTTP requests in flight: 2 hold a slot (being served), 3 wait for one. The WSDL GET was served.
  assert.deepEqual(counts(await fetchReport(server!.url)), {
    inFlight: 2,
    queued: 3,
    capacity: 2,
    served: 1,
  });

  release();
  const results = await Promise.all(calls);
  assert.deepEqual(
    results.map(([body]) => Number(body.result)),
    [1, 2, 3, 4, 5],
  );
  assert.deepEqual(counts(await fetchReport(server!.url)), {
    inFlight: 0,
    queued: 0,
    capacity: 2,
    served: 6,
  });
  assert.equal(countedRequests(server!), 6);
});

test('does not count its own requests, answers HEAD, and never lets a report be cached', async (t) => {
  const [server] = await startCalculators(t, 1, busyCalculator);
  const first = await fetchReport(server!.url);
  const response = await fetch(`${server!.url}${defaultLoadReportPath}?probe=1`);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assert.equal(response.headers.get('cache-control'), 'no-store');
  const second = parseLoadReport(await response.json());
  const head = await fetch(`${server!.url}${defaultLoadReportPath}`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');

  assert.deepEqual(counts(first), { inFlight: 0, queued: 0, capacity: 2, served: 0 });
  assert.ok(second);
  assert.deepEqual(counts(second), counts(first));
  assert.ok(second.uptimeMs >= first.uptimeMs);
  // The request recorder sees the reports: it is a listener of its own, added after the reporter.
  assert.equal(server!.requests.length, 3);
});

test('answers 405 to any other method on its path, without counting it', async (t) => {
  const [server] = await startCalculators(t, 1, busyCalculator);
  for (const method of ['POST', 'PUT', 'DELETE']) {
    const response = await fetch(`${server!.url}${defaultLoadReportPath}`, { method, body: 'x' });
    assert.equal(response.status, 405, method);
    assert.equal(response.headers.get('allow'), 'GET, HEAD');
    await response.text();
  }
  assert.equal((await fetchReport(server!.url)).served, 0);
});

test('passes every other request on to node-soap and the fallback listener, counting it', async (t) => {
  const [server] = await startCalculators(t, 1, busyCalculator);
  const wsdl = await fetch(server!.wsdlUrl);
  assert.equal(wsdl.status, 200);
  assert.match(await wsdl.text(), /<(wsdl:)?definitions/);
  const client = await createClientAsync(server!.wsdlUrl);
  const [answer] = await client.AddAsync({ a: 2, b: 3 });
  assert.equal(Number(answer.result), 5);
  const elsewhere = await fetch(`${server!.url}/soap-balancer/elsewhere`);
  assert.equal(elsewhere.status, 404);

  // The two WSDL GETs, the call and the 404.
  assert.deepEqual(counts(await fetchReport(server!.url)), {
    inFlight: 0,
    queued: 0,
    capacity: 2,
    served: 4,
  });
});

test('counts a call whose client gave up once, as no longer in flight and not served', async (t) => {
  const [server] = await startCalculators(t, 1, busyCalculator);
  const client = await createClientAsync(server!.wsdlUrl);
  const release = server!.hold();
  const abandoned = client.AddAsync({ a: 1, b: 1 }, { timeout: 200 }).then(
    () => assert.fail('the call should have timed out'),
    (error: unknown) => error,
  );
  await until(() => server!.held === 1);
  assert.equal((await fetchReport(server!.url)).inFlight, 1);

  assert.ok(await abandoned);
  await until(async () => (await fetchReport(server!.url)).inFlight === 0);
  // The operation still runs when released, and answers into a closed connection. Without a delay, it
  // answers in the same chain of promise jobs that counts it (node-soap writes as its promise settles),
  // so once the count shows, the answer has been written: no sleep needed to let it happen.
  server!.setDelay(0);
  release();
  await until(() => server!.calls.Add === 1);
  assert.deepEqual(counts(await fetchReport(server!.url)), {
    inFlight: 0,
    queued: 0,
    capacity: 2,
    served: 1,
  });
  // Counted down exactly once: below 0, the count would make the next call's report say 0.
  server!.hold();
  void client.AddAsync({ a: 1, b: 1 }, { timeout: 200 }).catch(() => {});
  await until(() => server!.held === 1);
  assert.equal((await fetchReport(server!.url)).inFlight, 1);
});

test('close() gives the path back to the previous listeners and keeps the ones added since', async (t) => {
  const [server] = await startCalculators(t, 1, busyCalculator);
  server!.loadReporter!.close();
  server!.loadReporter!.close();

  const response = await fetch(`${server!.url}${defaultLoadReportPath}`);
  assert.equal(response.status, 404, "the calculator's fallback answers");
  const client = await createClientAsync(server!.wsdlUrl);
  const [answer] = await client.AddAsync({ a: 2, b: 2 });
  assert.equal(Number(answer.result), 4);
  assert.deepEqual(
    server!.requests.map((request) => request.method),
    ['GET', 'GET', 'POST'],
  );
});

test('warns when attached before node-soap took the server over, since SOAP requests then bypass it', async (t) => {
  const http = createServer((_, response) => response.writeHead(404).end());
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const reporter = attachLoadReporter(http);
  t.after(() => {
    reporter.close();
    http.closeAllConnections();
    return new Promise<void>((resolve) => http.close(() => resolve()));
  });
  const add = ({ a, b }: { a: number; b: number }) => ({ result: Number(a) + Number(b), server: 'early' });
  const port = { Add: add, Divide: add };
  await new Promise<void>((resolve, reject) => {
    listen(http, {
      path: '/calculator',
      services: { CalculatorService: { CalculatorSoap: port, CalculatorSoap12: port } },
      xml: calculatorWsdl({ address: `${url}/calculator`, externalSchema: false }),
      callback: (error: unknown) => (error ? reject(error) : resolve()),
    });
  });

  const warning = new Promise<Error & { code?: string }>((resolve) => process.once('warning', resolve));
  await fetchReport(url);
  assert.equal((await warning).code, 'SOAPBAL_LOAD_REPORTER_DISPLACED');
});

test('kill() of a held, queued and sleeping server leaves nothing that keeps the process alive', async () => {
  const serverModule = new URL('../../examples/calculator/server.ts', import.meta.url).href;
  const script = `
    import { createClientAsync } from 'soap';
    import { startCalculatorServer } from ${JSON.stringify(serverModule)};
    const server = await startCalculatorServer({ loadReport: true, capacity: 2, delayMs: 60000 });
    const client = await createClientAsync(server.wsdlUrl);
    const call = () => client.AddAsync({ a: 1, b: 1 }).then(() => 'answered', () => 'failed');
    const calls = [call()];
    while (server.calls.Add !== 1) await new Promise((resolve) => setTimeout(resolve, 5));
    server.hold();
    calls.push(call(), call());
    while (server.held !== 1 || server.queued !== 1) await new Promise((resolve) => setTimeout(resolve, 5));
    server.kill();
    process.stdout.write((await Promise.all(calls)).join(',') + '\\nkilled\\n');
  `;
  const output = await assertExitsByItself(['--input-type=module', '--eval', script]);
  assert.match(output, /^failed,failed,failed\nkilled$/m);
});

/** Sends a POST's head but not its body: the server counts it in flight until the socket closes. */
async function unfinishedRequest(baseUrl: string): Promise<Socket> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.write(`POST /calculator HTTP/1.1\r\nHost: ${hostname}\r\nContent-Length: 100\r\n\r\n`);
  return socket;
}

test('puts its load in every response, and a balanced client takes it from the answer at once', async (t) => {
  const [server] = await startCalculators(t, 1, { loadReport: true, capacity: 4 });
  const sockets = await Promise.all([1, 2, 3].map(() => unfinishedRequest(server!.url)));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
  });
  await until(() => server!.loadReporter!.report().inFlight === 3);

  // Three others outstanding over four slots; the response's own request is not counted.
  const wsdl = await fetch(server!.wsdlUrl);
  await wsdl.text();
  assert.equal(
    wsdl.headers.get('endpoint-load-metrics'),
    'TEXT application_utilization=0.75, named_metrics.outstanding=3, named_metrics.capacity=4',
  );

  const client = await createBalancedClient(server!.wsdlUrl, { servers: [server!.url] });
  t.after(() => client.close());
  assert.equal(client.balancer.servers()[0]?.load, undefined, 'a WSDL fetch does not count');
  const [answer] = await client.AddAsync({ a: 1, b: 2 });
  assert.equal(Number(answer.result), 3);
  assert.equal(client.balancer.servers()[0]?.load, 0.75);
});

test('adds no load header with `loadHeader: false`', async (t) => {
  const http = createServer((_, response) => response.writeHead(200).end('ok'));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => http.close(resolve)));
  const reporter = attachLoadReporter(http, { loadHeader: false });
  t.after(() => reporter.close());
  const response = await fetch(`http://127.0.0.1:${(http.address() as AddressInfo).port}/any`);
  assert.equal(await response.text(), 'ok');
  assert.equal(response.headers.get('endpoint-load-metrics'), null);
});
