import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

// Runs in plain Node, without tsx: checks that the built package (dist/, through package.json
// `exports`) loads as ESM together with its CommonJS dependencies. `npm test` builds first.
test('the built package loads in plain Node and exposes its public API', async () => {
  const script = `
    import { createBalancedClient, isSoapBalancerError, rewriteWsdl, ErrorCode } from 'soap-balancer';
    const wsdl = '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/">' +
      '<service name="S"><port name="P"><soap:address location="http://a:1/svc"/></port></service></definitions>';
    const { addresses } = rewriteWsdl(wsdl, { endpoint: 'http://soap-balancer.invalid', servers: ['http://a:1'] });
    const error = await createBalancedClient('http://a:1/svc?wsdl', { servers: [] }).catch((e) => e);
    console.log(JSON.stringify({ to: addresses[0].to, type: typeof createBalancedClient, code: ErrorCode.Closed,
      guard: isSoapBalancerError(error), name: error.name }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  assert.deepEqual(JSON.parse(stdout), {
    to: 'http://soap-balancer.invalid/svc',
    type: 'function',
    code: 'SOAPBAL_CLOSED',
    guard: false,
    name: 'TypeError',
  });
});

test('the prom-client adapter loads from its own entry, soap-balancer/prom-client', async () => {
  const script = `
    import { registerSoapBalancerMetrics } from 'soap-balancer/prom-client';
    import { encodePrometheusText } from 'soap-balancer';
    import { Registry } from 'prom-client';
    const registry = new Registry();
    const family = { name: 'demo_total', help: 'Demo.', type: 'counter', samples: [{ labels: {}, value: 2 }] };
    registerSoapBalancerMetrics(registry, { metrics: () => [family] });
    console.log(JSON.stringify({ registry: await registry.metrics(), encoded: encodePrometheusText([family]) }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  const text = '# HELP demo_total Demo.\n# TYPE demo_total counter\ndemo_total 2\n';
  assert.deepEqual(JSON.parse(stdout), { registry: text, encoded: text });
});
