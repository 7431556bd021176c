import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { createClientAsync } from 'soap';
import { type CalculatorServer, startCalculatorServer } from '../../examples/calculator/server.js';
import { ErrorCode, isSoapBalancerError, type SoapBalancerError } from '../../src/errors.js';
import { defaultLoadReportPath, loadScore } from '../../src/load-report/schema.js';
import { HttpProbeTransport } from '../../src/monitor/http-transport.js';
import type { ServerStatus } from '../../src/status/schema.js';
import {
  fastProbing,
  loadReport,
  monitorFor,
  publishedStatus,
  sendJson,
  waitFor,
} from '../helpers/monitor.js';
import { refusedUrl, startHangingServer, startPlainServer } from '../helpers/servers.js';

test('reads the load report of a replica that serves one, and scores it with loadScore', async (t) => {
  const report = loadReport({ inFlight: 3, queued: 1, capacity: 8, served: 120, eventLoopDelayMs: 12.5 });
  const paths: string[] = [];
  const replica = await startPlainServer(t, (request, response) => {
    paths.push(request.url ?? '');
    sendJson(response, 200, report);
  });
  const monitor = monitorFor(t, { servers: [replica.url], ...fastProbing });

  await monitor.start();

  const status = publishedStatus(monitor, replica.url);
  assert.ok(status);
  assert.equal(status.state, 'up');
  assert.equal(status.loadSource, 'report');
  assert.equal(status.load, loadScore(report));
  assert.deepEqual(
    [status.capacity, status.inFlight, status.queued, status.served, status.eventLoopDelayMs],
    [8, 3, 1, 120, 12.5],
  );
  assert.ok(status.latencyMs !== null && status.latencyMs >= 0);
  assert.ok(status.lastCheckedAt !== null && !Number.isNaN(Date.parse(status.lastCheckedAt)));
  assert.deepEqual(paths, [defaultLoadReportPath]);
});

test('falls back to the health path and latency-based load for a server without load reporter', async (t) => {
  const calculator = await startCalculatorServer();
  t.after(() => calculator.close());
  const monitor = monitorFor(t, {
    servers: [calculator.url],
    healthPath: '/calculator?wsdl',
    ...fastProbing,
  });

  await monitor.start();
  await waitFor(() => calculator.requests.length >= 4, 'two rounds');

  const status = publishedStatus(monitor, calculator.url);
  assert.equal(status?.state, 'up');
  assert.equal(status?.loadSource, 'latency');
  assert.ok(status.latencyMs !== null && status.latencyMs > 0);
  assert.ok(status.load > 0);
  assert.deepEqual([status.capacity, status.inFlight, status.served], [null, null, null]);
  const paths = calculator.requests.map((request) => request.url);
  assert.deepEqual(paths.slice(0, 3), [defaultLoadReportPath, '/calculator?wsdl', '/calculator?wsdl']);
  assert.equal(paths.filter((path) => path === defaultLoadReportPath).length, 1, 'the 404 is remembered');
});

test('a killed server goes down after `fall` failed probes, with one serverDown event', async (t) => {
  const calculator = await startCalculatorServer();
  t.after(() => calculator.close());
  const monitor = monitorFor(t, {
    servers: [calculator.url],
    healthPath: '/calculator?wsdl',
    fall: 2,
    ...fastProbing,
  });
  const downs: ServerStatus[] = [];
  let failures = 0;
  monitor.on('serverDown', (status) => downs.push(status));
  monitor.on('probeError', () => failures++);
  await monitor.start();
  assert.equal(publishedStatus(monitor, calculator.url)?.state, 'up');

  failures = 0;
  calculator.kill();
  await waitFor(() => downs.length > 0, 'serverDown');

  assert.equal(failures, 2, 'down exactly at the second consecutive failure');
  assert.equal(downs[0]?.state, 'down');
  await waitFor(() => publishedStatus(monitor, calculator.url)?.state === 'down', 'the published state');
  assert.equal(downs.length, 1);
});

test('a server answering 503 is down, and up after `rise` answers 200', async (t) => {
  let healthy = false;
  const replica = await startPlainServer(t, (request, response) => {
    if (request.url === defaultLoadReportPath) return sendJson(response, 404, {});
    response.writeHead(healthy ? 200 : 503).end();
  });
  const monitor = monitorFor(t, { servers: [replica.url], rise: 3, ...fastProbing });
  const ups: ServerStatus[] = [];
  monitor.on('serverUp', (status) => ups.push(status));

  await monitor.start();
  assert.equal(publishedStatus(monitor, replica.url)?.state, 'down');
  const hitsWhenHealed = replica.hits();
  healthy = true;
  await waitFor(() => ups.length > 0, 'serverUp');

  // Only the health path is probed now (no reporter): one request per round, three rounds to rise.
  assert.ok(replica.hits() - hitsWhenHealed >= 3);
  assert.equal(ups[0]?.state, 'up');
  assert.equal(ups[0]?.loadSource, 'latency');
});

test('probes time out on a server that never answers, and a refused one fails at once', async (t) => {
  const hanging = await startHangingServer(t);
  const refused = await refusedUrl();
  const monitor = monitorFor(t, { servers: [hanging.url, refused], ...fastProbing });
  const errors = new Map<string, SoapBalancerError>();
  monitor.on('probeError', ({ id, error }) => errors.set(id, error));

  await monitor.start();

  assert.deepEqual(
    monitor
      .snapshot()
      .servers.map((server) => [server.state, server.loadSource, server.lastCheckedAt !== null]),
    [
      ['down', 'none', true],
      ['down', 'none', true],
    ],
  );
  // Typed, saying which URL and what failed; the socket's own error as the cause.
  const timedOut = errors.get(hanging.url);
  assert.ok(isSoapBalancerError(timedOut), String(timedOut));
  assert.equal(timedOut.code, ErrorCode.ProbeFailed);
  assert.equal(
    timedOut.message,
    `Probe GET ${hanging.url}${defaultLoadReportPath} failed: timed out: no answer within 50 ms`,
  );
  const refusal = errors.get(refused);
  assert.ok(isSoapBalancerError(refusal), String(refusal));
  assert.equal(refusal.code, ErrorCode.ProbeFailed);
  assert.equal(
    refusal.message,
    `Probe GET ${refused}${defaultLoadReportPath} failed: connection refused (ECONNREFUSED)`,
  );
  assert.equal((refusal.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
});

test('a server cutting its answer short, or a 5xx, fails the probe with a typed error saying so', async (t) => {
  const cut = await startPlainServer(t, (_request, response) => {
    response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 1000 });
    response.write('{"version":1,');
    setImmediate(() => response.socket?.destroy());
  });
  const failing = await startPlainServer(t, (_request, response) => sendJson(response, 503, {}));
  const monitor = monitorFor(t, { servers: [cut.url, failing.url], ...fastProbing });
  const errors = new Map<string, SoapBalancerError>();
  monitor.on('probeError', ({ id, error }) => errors.set(id, error));

  await monitor.start();

  assert.deepEqual(
    [cut.url, failing.url].map((id) => [errors.get(id)?.code, errors.get(id)?.message]),
    [
      [
        ErrorCode.ProbeFailed,
        `Probe GET ${cut.url}${defaultLoadReportPath} failed: the connection closed before the answer was complete`,
      ],
      [ErrorCode.ProbeFailed, `Probe GET ${failing.url}${defaultLoadReportPath} failed: answered HTTP 503`],
    ],
  );
});

test('the probe transport, once destroyed, ends the probes in flight and refuses later ones: SOAPBAL_CLOSED', async (t) => {
  const hanging = await startHangingServer(t);
  const transport = new HttpProbeTransport();
  t.after(() => transport.destroy());
  const inFlight = transport.get(new URL(`${hanging.url}/`), 60_000).catch((error: unknown) => error);
  await waitFor(() => hanging.hits() === 1, 'the probe to connect');
  transport.destroy();
  const later = await transport.get(new URL(`${hanging.url}/`), 60_000).catch((error: unknown) => error);
  for (const error of [await inFlight, later]) {
    assert.ok(isSoapBalancerError(error), String(error));
    assert.equal(error.code, ErrorCode.Closed);
  }
});

test('a draining server keeps being probed and shows `draining` while alive', async (t) => {
  const replica = await startPlainServer(t, (_request, response) => sendJson(response, 200, loadReport()));
  const monitor = monitorFor(t, {
    servers: [{ url: replica.url, id: 'r1', draining: true }],
    ...fastProbing,
  });

  await monitor.start();
  assert.equal(publishedStatus(monitor, 'r1')?.state, 'draining');
  const hits = replica.hits();
  await waitFor(() => replica.hits() > hits, 'another probe');
  monitor.setDraining('r1', false);
  assert.equal(publishedStatus(monitor, 'r1')?.state, 'up');
});

test('a load report larger than 64 KB is no report: the server is probed on its health path', async (t) => {
  const replica = await startPlainServer(t, (request, response) => {
    if (request.url === defaultLoadReportPath) {
      return sendJson(response, 200, { ...loadReport(), padding: 'x'.repeat(100_000) });
    }
    response.writeHead(200).end('ok');
  });
  const monitor = monitorFor(t, { servers: [replica.url], ...fastProbing });

  await monitor.start();

  assert.equal(publishedStatus(monitor, replica.url)?.loadSource, 'latency');
  assert.equal(publishedStatus(monitor, replica.url)?.state, 'up');
});

test('reads the real load reporter of a busy Calculator: calls in flight and queued', async (t) => {
  const calculator = await startCalculatorServer({ loadReport: true, capacity: 1 });
  t.after(() => calculator.close());
  const monitor = monitorFor(t, { servers: [calculator.url], ...fastProbing });
  await monitor.start();
  assert.deepEqual(pick(publishedStatus(monitor, calculator.url)), {
    state: 'up',
    loadSource: 'report',
    capacity: 1,
    inFlight: 0,
    queued: 0,
  });

  const release = hold(t, calculator);
  const client = await createClientAsync(calculator.wsdlUrl);
  const calls = [1, 2, 3].map((a) => client.AddAsync({ a, b: 1 }));
  await waitFor(() => calculator.held === 1 && calculator.queued === 2, 'one call held, two queued');
  const busy = await waitFor(() => {
    const status = publishedStatus(monitor, calculator.url);
    return status?.queued === 2 ? status : undefined;
  }, 'the busy report published');

  assert.deepEqual(pick(busy), { state: 'up', loadSource: 'report', capacity: 1, inFlight: 1, queued: 2 });
  assert.ok(busy.load >= 3, `load ${busy.load}: (1 + 2) / 1 plus event-loop delay`);
  release();
  await Promise.all(calls);
});

function pick(status: ServerStatus | undefined) {
  if (!status) return undefined;
  const { state, loadSource, capacity, inFlight, queued } = status;
  return { state, loadSource, capacity, inFlight, queued };
}

/** `calculator.hold()`, released when the test ends at the latest. */
function hold(t: TestContext, calculator: CalculatorServer): () => void {
  const release = calculator.hold();
  t.after(release);
  return release;
}
