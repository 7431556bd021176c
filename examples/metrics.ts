// Metrics from the three parts: a replica's (metricsPath), the monitor's (GET /metrics, with its
// token) and a balanced client's, in Prometheus' text format; then the client in a prom-client registry.
// Run: node --import tsx examples/metrics.ts

import { Registry } from 'prom-client';
import { createBalancedClient, createMonitor } from '../src/index.js';
import { registerSoapBalancerMetrics } from '../src/prom-client.js';
import { startCalculatorServer } from './calculator/server.js';

const replica = await startCalculatorServer({ loadReport: true, capacity: 4, metricsPath: '/metrics' });
const monitor = createMonitor({ servers: [replica.url], token: 'example-token' });
const client = await createBalancedClient(replica.wsdlUrl, { servers: [replica.url], name: 'calculator' });

try {
  await monitor.start();
  const { url: statusUrl } = await monitor.listen({ port: 0 });
  for (let index = 0; index < 3; index++) await client.AddAsync({ a: index, b: 1 });

  console.log('# --- the replica, GET /metrics');
  console.log(await (await fetch(`${replica.url}/metrics`)).text());
  console.log('# --- the monitor, GET /metrics (the same token as /status)');
  const monitorMetrics = await fetch(statusUrl.replace(/\/status$/, '/metrics'), {
    headers: { Authorization: 'Bearer example-token' },
  });
  console.log(await monitorMetrics.text());
  console.log('# --- the client, client.balancer.metricsText()');
  console.log(client.balancer.metricsText());

  const registry = new Registry();
  registerSoapBalancerMetrics(registry, client.balancer);
  const calls = (await registry.metrics())
    .split('\n')
    .filter((line) => line.startsWith('soap_balancer_client_calls'));
  console.log('# --- the client in a prom-client registry (calls only)');
  console.log(calls.join('\n'));
} finally {
  await client.close();
  await monitor.close();
  await replica.close();
}
