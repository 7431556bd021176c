// `soap-balancer proxy --etcd`: the pool comes from the keys the replicas' load reporters write.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { startEtcd } from '../helpers/etcd.js';
import { waitFor } from '../helpers/monitor.js';
import { addRequest, soap11 } from '../helpers/proxy.js';
import { startCalculators } from '../helpers/servers.js';

const prefix = '/soap-balancer/v1/proxy-calc/';

test('with --etcd, replicas registered by their load reporters get the calls, a draining one and a disallowed one none', async (t) => {
  const etcd = await startEtcd(t);
  const [serving, draining, disallowed] = await startCalculators(t, 3, {
    loadReport: { etcd: { endpoints: etcd.endpoints, prefix, leaseTtlSeconds: 2 } },
  });
  await draining!.loadReporter!.drain();
  const allow = [serving!.url, draining!.url].join(',');
  const cli = runCli(t, [
    'proxy',
    '--port',
    '0',
    '--etcd',
    etcd.endpoints[0]!,
    '--etcd-prefix',
    prefix,
    '--allow',
    allow,
    '--idempotent',
    'Add',
  ]);
  const url = (await waitFor(() => /listening on (\S+)/.exec(cli.stdout()), `listening\n${cli.stderr()}`))[1];
  // The first range is read before the proxy listens: both allowed replicas are known, one draining.
  for (let i = 0; i < 6; i++) {
    const answer = await fetch(`${url}/calculator`, {
      method: 'POST',
      body: soap11(addRequest(i, 1)),
      headers: { 'content-type': 'text/xml', soapaction: '"http://example.com/calculator/Add"' },
    });
    assert.equal(answer.status, 200, await answer.clone().text());
    assert.match(await answer.text(), new RegExp(`<result>${i + 1}</result>`));
  }
  assert.equal(serving!.calls.Add, 6);
  assert.equal(draining!.calls.Add, undefined);
  assert.equal(disallowed!.calls.Add, undefined);
  cli.child.kill('SIGTERM');
  assert.equal((await cli.exited).code, 0, cli.stderr());
});
