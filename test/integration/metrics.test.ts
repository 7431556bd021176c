import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { type OpenMetricsContentType, Registry } from 'prom-client';
import { createBalancedClient, createMonitor, encodePrometheusText } from '../../src/index.js';
import { attachLoadReporter } from '../../src/load-report/reporter.js';
import { registerSoapBalancerMetrics } from '../../src/prom-client.js';
import { assertExitsByItself } from '../helpers/exits-by-itself.js';
import { sampleValue } from '../helpers/metrics.js';
import { waitFor } from '../helpers/monitor.js';
import { firstEligible } from '../helpers/policies.js';
import { assertPromtoolAccepts } from '../helpers/promtool.js';
import { refusedUrl, startCalculators } from '../helpers/servers.js';

test('a balanced client counts its calls, attempts, failovers, fetches and servers, in valid Prometheus text', async (t) => {
  const [calculator] = await startCalculators(t, 1);
  const refused = await refusedUrl();
  const client = await createBalancedClient(calculator!.wsdlUrl, {
    servers: [refused, calculator!.url],
    policy: firstEligible,
    name: 'calculator',
  });
  t.after(() => client.close());
  const client1 = { client: 'calculator' };

  await client.AddAsync({ a: 1, b: 2 });
  await client.AddAsync({ a: 3, b: 4 });
  await client.DivideAsync({ a: 1, b: 0 }).catch(() => undefined);
  const release = calculator!.hold();
  const held = client.AddAsync({ a: 5, b: 6 });
  await waitFor(
    () => sampleValue(client.balancer.metrics(), 'soap_balancer_client_calls_in_flight', client1) === 1,
    'the held call to count as in flight',
  );
  release();
  await held;

  const families = client.balancer.metrics();
  const value = (name: string, labels: Record<string, string> = {}) =>
    sampleValue(families, name, { ...client1, ...labels });
  assert.equal(value('soap_balancer_client_calls_total', { operation: 'Add', outcome: 'answered' }), 3);
  assert.equal(value('soap_balancer_client_calls_total', { operation: 'Divide', outcome: 'fault' }), 1);
  assert.equal(value('soap_balancer_client_call_duration_seconds_count', { operation: 'Add' }), 3);
  assert.equal(value('soap_balancer_client_calls_in_flight'), 0);
  // The WSDL fetch went to the refused server first (the policy takes the first one), then moved on.
  assert.equal(value('soap_balancer_client_document_fetches_total', { outcome: 'answered' }), 1);
  assert.equal(value('soap_balancer_client_failovers_total', { reason: 'unreachable' }), 1);
  assert.equal(value('soap_balancer_client_attempts_total', { server: refused, result: 'unreachable' }), 1);
  assert.equal(
    value('soap_balancer_client_attempts_total', { server: calculator!.url, result: 'answered' }),
    5, // the WSDL and four calls (a Fault is an answer)
  );
  assert.equal(value('soap_balancer_client_attempt_duration_seconds_count', { server: refused }), 1);
  assert.equal(value('soap_balancer_client_servers', { state: 'down' }), 1);
  assert.equal(value('soap_balancer_client_servers', { state: 'up' }), 1);
  assert.equal(value('soap_balancer_client_server_in_flight', { server: calculator!.url }), 0);
  // No status source: no status, so no age.
  assert.equal(value('soap_balancer_client_status_age_seconds'), undefined);
  assertPromtoolAccepts(client.balancer.metricsText());
});

test('a client with a monitor reports the status age and its status updates', async (t) => {
  const calculators = await startCalculators(t, 2);
  // Probes with time to spare: a probe timing out on a loaded machine would count a server down.
  const monitor = createMonitor({ servers: calculators.map((c) => c.url), intervalMs: 2_000, jitter: 0 });
  t.after(() => monitor.close());
  await monitor.start();
  const { url } = await monitor.listen({ port: 0 });
  const client = await createBalancedClient(calculators[0]!.wsdlUrl, {
    monitor: { url },
    allow: ['http://127.0.0.1:*'],
  });
  t.after(() => client.close());
  await client.AddAsync({ a: 1, b: 2 });

  const families = client.balancer.metrics();
  const labels = { client: '/calculator' }; // the default name: the WSDL URL's path
  const age = sampleValue(families, 'soap_balancer_client_status_age_seconds', labels);
  assert.ok(age !== undefined && age >= 0, `status age ${age}`);
  assert.ok(
    (sampleValue(families, 'soap_balancer_client_status_updates_total', { ...labels, result: 'applied' }) ??
      0) >= 1,
  );
  assert.equal(sampleValue(families, 'soap_balancer_client_servers', { ...labels, state: 'up' }), 2);
  assertPromtoolAccepts(client.balancer.metricsText());
});

test('two clients in one prom-client registry share the families, told apart by their client label', async (t) => {
  const [calculator] = await startCalculators(t, 1);
  const billing = await createBalancedClient(calculator!.wsdlUrl, {
    servers: [calculator!.url],
    name: 'billing',
  });
  const orders = await createBalancedClient(calculator!.wsdlUrl, {
    servers: [calculator!.url],
    name: 'orders',
  });
  t.after(() => Promise.all([billing.close(), orders.close()]));
  await billing.AddAsync({ a: 1, b: 2 });
  await orders.AddAsync({ a: 1, b: 2 });
  await orders.AddAsync({ a: 1, b: 2 });

  const registry = new Registry();
  registerSoapBalancerMetrics(registry, billing.balancer);
  const unregisterOrders = registerSoapBalancerMetrics(registry, orders.balancer);
  const text = await registry.metrics();
  assertPromtoolAccepts(text);
  assert.match(
    text,
    /^soap_balancer_client_calls_total\{client="billing",operation="Add",outcome="answered"\} 1$/m,
  );
  assert.match(
    text,
    /^soap_balancer_client_calls_total\{client="orders",operation="Add",outcome="answered"\} 2$/m,
  );
  assert.match(
    text,
    /^soap_balancer_client_call_duration_seconds_bucket\{client="orders",operation="Add",le="\+Inf"\} 2$/m,
  );
  assert.equal(text.match(/^# TYPE soap_balancer_client_calls_total counter$/gm)?.length, 1);
  // Without prom-client, the same text comes from the encoder.
  assertPromtoolAccepts(encodePrometheusText([...billing.balancer.metrics(), ...orders.balancer.metrics()]));

  unregisterOrders();
  const after = await registry.metrics();
  assert.doesNotMatch(after, /client="orders"/);
  assert.match(after, /client="billing"/);

  const openMetrics = new Registry<OpenMetricsContentType>();
  openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  registerSoapBalancerMetrics(openMetrics, billing.balancer);
  const openText = await openMetrics.metrics();
  assert.match(openText, /^# TYPE soap_balancer_client_calls counter$/m);
  assert.match(
    openText,
    /^soap_balancer_client_calls_total\{client="billing",operation="Add",outcome="answered"\} 1$/m,
  );

  const taken = new Registry();
  taken.registerMetric({ name: 'soap_balancer_client_servers', get: () => ({}) } as never);
  assert.throws(() => registerSoapBalancerMetrics(taken, billing.balancer), {
    name: 'TypeError',
    message: /already has a metric named `soap_balancer_client_servers`/,
  });
  assert.equal(taken.getSingleMetric('soap_balancer_client_calls_total'), undefined, 'nothing registered');
});

test("the monitor serves /metrics with /status' token: probes, failures, rounds, servers by state and load", async (t) => {
  const calculators = await startCalculators(t, 1, { loadReport: true, capacity: 4 });
  const refused = await refusedUrl();
  const monitor = createMonitor({
    servers: [calculators[0]!.url, { id: 'gone', url: refused }],
    token: 'secret',
    intervalMs: 2_000,
    timeoutMs: 2_000,
  });
  t.after(() => monitor.close());
  await monitor.start();
  const { url } = await monitor.listen({ port: 0 });
  const metricsUrl = url.replace(/\/status$/, '/metrics');

  assert.equal((await fetch(metricsUrl)).status, 401);
  const response = await fetch(metricsUrl, { headers: { Authorization: 'Bearer secret' } });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  const text = await response.text();
  assertPromtoolAccepts(text);
  assert.match(text, /^soap_balancer_monitor_probe_failures_total\{server="gone"\} [1-9]\d*$/m);
  const healthy = calculators[0]!.url;
  assert.match(
    text,
    new RegExp(`^soap_balancer_monitor_probe_failures_total\\{server="${healthy}"\\} 0$`, 'm'),
  );
  assert.match(text, /^soap_balancer_monitor_servers\{state="down"\} 1$/m);
  assert.match(text, /^soap_balancer_monitor_servers\{state="up"\} 1$/m);
  assert.match(
    text,
    new RegExp(`^soap_balancer_monitor_server_load\\{server="${calculators[0]!.url}"\\} 0$`, 'm'),
  );
  const families = monitor.metrics();
  assert.ok((sampleValue(families, 'soap_balancer_monitor_rounds_total') ?? 0) >= 1);
  assert.ok(
    (sampleValue(families, 'soap_balancer_monitor_probe_duration_seconds_count', { server: 'gone' }) ?? 0) >=
      1,
  );
  assert.equal(
    (await fetch(metricsUrl, { method: 'POST', headers: { Authorization: 'Bearer secret' } })).status,
    405,
  );
});

test('a load reporter serves its metrics at metricsPath, not counted as requests', async (t) => {
  let finish: (() => void) | undefined;
  const server = createServer((_request, response) => {
    finish = () => response.end('done');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const reporter = attachLoadReporter(server, { metricsPath: '/metrics', capacity: 4 });
  t.after(() => reporter.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const pending = fetch(`${base}/work`);
  await waitFor(() => finish !== undefined, 'the request to arrive');
  const busy = await fetch(`${base}/metrics`);
  assert.equal(busy.status, 200);
  const busyText = await busy.text();
  assertPromtoolAccepts(busyText);
  assert.match(busyText, /^soap_balancer_replica_requests_in_flight 1$/m);
  assert.match(busyText, /^soap_balancer_replica_capacity 4$/m);
  assert.match(busyText, /^soap_balancer_replica_requests_served_total 0$/m);
  finish?.();
  await (await pending).text();
  await waitFor(
    () => sampleValue(reporter.metrics(), 'soap_balancer_replica_requests_served_total') === 1,
    'the request to count as served',
  );
  assert.equal(sampleValue(reporter.metrics(), 'soap_balancer_replica_requests_in_flight'), 0);
  assert.match(reporter.metricsText(), /^soap_balancer_replica_requests_queued 0$/m);
});

test('a scrape of a reporter whose queued() breaks answers 500, and the server goes on', async (t) => {
  const server = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const reporter = attachLoadReporter(server, { metricsPath: '/metrics', queued: () => -1 });
  t.after(() => reporter.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const scrape = await fetch(`${base}/metrics`);
  assert.equal(scrape.status, 500);
  assert.match(await scrape.text(), /Expected `queued\(\)` to return an integer >= 0/);
  assert.equal(await (await fetch(`${base}/work`)).text(), 'ok');
});

test('the metrics example prints the three parts and exits by itself', async () => {
  const output = await assertExitsByItself(['examples/metrics.ts']);
  assert.match(output, /^soap_balancer_replica_requests_served_total [1-9]\d*$/m);
  assert.match(output, /^soap_balancer_monitor_servers\{state="up"\} 1$/m);
  const answered =
    /^soap_balancer_client_calls_total\{client="calculator",operation="Add",outcome="answered"\} 3$/gm;
  assert.equal(output.match(answered)?.length, 2, 'from metricsText() and from the prom-client registry');
});
