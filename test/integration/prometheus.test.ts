import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createBalancedClient, createMonitor, prometheusContentType } from '../../src/index.js';
import { waitFor } from '../helpers/monitor.js';
import { startPrometheus } from '../helpers/prometheus.js';
import { startCalculators } from '../helpers/servers.js';

test('a real Prometheus scrapes the monitor (with its token), a replica and a client app, and answers queries', async (t) => {
  const [replica] = await startCalculators(t, 1, { loadReport: true, capacity: 4, metricsPath: '/metrics' });
  const monitor = createMonitor({
    servers: [replica!.url],
    token: 'scrape-token',
    intervalMs: 500,
    timeoutMs: 500,
  });
  t.after(() => monitor.close());
  await monitor.start();
  const { url: statusUrl } = await monitor.listen({ port: 0 });

  const client = await createBalancedClient(replica!.wsdlUrl, {
    servers: [replica!.url],
    name: 'calculator',
  });
  t.after(() => client.close());
  // The application's own /metrics, as an app without prom-client would serve it.
  const app = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': prometheusContentType }).end(client.balancer.metricsText());
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    app.closeAllConnections();
    return new Promise<void>((resolve) => app.close(() => resolve()));
  });
  for (let index = 0; index < 3; index++) await client.AddAsync({ a: index, b: 1 });

  const hostOf = (url: string) => new URL(url).host;
  const prometheus = await startPrometheus(t, [
    { name: 'monitor', targets: [hostOf(statusUrl)], token: 'scrape-token' },
    { name: 'replica', targets: [hostOf(replica!.url)] },
    { name: 'app', targets: [`127.0.0.1:${(app.address() as AddressInfo).port}`] },
  ]);
  await prometheus.targetsUp();

  const calls = await waitFor(
    async () =>
      (
        await prometheus.query(
          'soap_balancer_client_calls_total{client="calculator",operation="Add",outcome="answered"}',
        )
      )[0],
    'the client app to be scraped',
  );
  assert.equal(calls.value[1], '3');
  assert.equal(calls.metric.job, 'app');
  const served = await waitFor(
    async () => (await prometheus.query('soap_balancer_replica_requests_served_total'))[0],
    'the replica to be scraped',
  );
  assert.ok(Number(served.value[1]) >= 4, `served ${served.value[1]}`); // the WSDL and three calls
  const up = await waitFor(
    async () => (await prometheus.query('soap_balancer_monitor_servers{state="up"}'))[0],
    'the monitor to be scraped',
  );
  assert.equal(up.value[1], '1');
  const rounds = await prometheus.query('soap_balancer_monitor_rounds_total > 0');
  assert.equal(rounds.length, 1);
});
