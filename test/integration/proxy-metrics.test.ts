// The proxy's metrics: counted by the same runners as the client's, under `soap_balancer_proxy_*`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/monitor.js';
import { firstEligible } from '../helpers/policies.js';
import { assertPromtoolAccepts } from '../helpers/promtool.js';
import { addRequest, soap11, startProxy } from '../helpers/proxy.js';
import { refusedUrl, startCalculators } from '../helpers/servers.js';

function add(url: string, a: number): Promise<Response> {
  return fetch(`${url}/calculator`, {
    method: 'POST',
    body: soap11(addRequest(a, 1)),
    headers: { 'content-type': 'text/xml', soapaction: '"http://example.com/calculator/Add"' },
  });
}

test('the proxy counts calls, attempts and failovers, in text promtool accepts', async (t) => {
  const [replica] = await startCalculators(t, 1);
  const down = await refusedUrl();
  // The refused server first: the first call tries it, fails over, and it is then down.
  const proxy = await startProxy(t, {
    servers: [down, replica!.url],
    name: 'edge',
    idempotent: ['Add'],
    policy: firstEligible,
  });
  for (let i = 0; i < 4; i++) assert.equal((await add(proxy.url, i)).status, 200);
  assert.equal((await fetch(`${proxy.url}/calculator?wsdl`)).status, 200);
  const text = proxy.metricsText();
  assertPromtoolAccepts(text);
  assert.match(
    text,
    /^soap_balancer_proxy_calls_total\{proxy="edge",operation="Add",outcome="answered"\} 4$/m,
  );
  assert.match(text, /^soap_balancer_proxy_document_fetches_total\{proxy="edge",outcome="answered"\} 1$/m);
  assert.match(
    text,
    new RegExp(
      `^soap_balancer_proxy_attempts_total\\{proxy="edge",server="${replica!.url}/?",result="answered"\\} 5$`,
      'm',
    ),
  );
  assert.match(text, /^soap_balancer_proxy_failovers_total\{proxy="edge",reason="unreachable"\} 1$/m);
  assert.doesNotMatch(text, /soap_balancer_client_/);
  assert.deepEqual(
    proxy
      .metrics()
      .map((family) => family.name)
      .filter((name) => !name.startsWith('soap_balancer_proxy_')),
    [],
  );
});

test('the CLI serves /metrics and /healthz on its admin port; the proxy port still passes /metrics to the servers', async (t) => {
  const [replica] = await startCalculators(t, 1);
  const cli = runCli(t, ['proxy', '--port', '0', '--server', replica!.url, '--admin-port', '0']);
  const match = await waitFor(
    () => /listening on (\S+)\n.*admin on (\S+)/.exec(cli.stdout()),
    `the listening and admin lines\n${cli.stderr()}`,
  );
  const [, url, admin] = match as unknown as [string, string, string];
  assert.equal((await add(url, 1)).status, 200);
  const scrape = await fetch(`${admin}/metrics`);
  assert.equal(scrape.status, 200);
  assert.match(scrape.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await scrape.text();
  assertPromtoolAccepts(text);
  assert.match(
    text,
    /^soap_balancer_proxy_calls_total\{proxy="proxy",operation="Add",outcome="answered"\} 1$/m,
  );
  assert.equal((await fetch(`${admin}/healthz`)).status, 200);
  assert.equal((await fetch(`${admin}/status`)).status, 404);
  const passed = await fetch(`${url}/metrics`);
  assert.doesNotMatch(await passed.text(), /soap_balancer_proxy_/);
  cli.child.kill('SIGINT');
  assert.equal((await cli.exited).code, 0, cli.stderr());
});
