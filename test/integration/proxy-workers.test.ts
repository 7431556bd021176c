// `soap-balancer proxy --workers N` and its admin listener, as real processes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { type Cli, runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/monitor.js';
import { assertPromtoolAccepts } from '../helpers/promtool.js';
import { addRequest, soap11 } from '../helpers/proxy.js';
import { startCalculators } from '../helpers/servers.js';

function add(url: string, a: number): Promise<Response> {
  return fetch(`${url}/calculator`, {
    method: 'POST',
    body: soap11(addRequest(a, 1)),
    headers: { 'content-type': 'text/xml', soapaction: '"http://example.com/calculator/Add"' },
  });
}

async function urls(cli: Cli): Promise<{ url: string; admin: string }> {
  const match = await waitFor(
    () => /listening on (\S+).*\n.*admin on (\S+)/.exec(cli.stdout()),
    `the listening and admin lines\n${cli.stderr()}`,
    20_000,
  );
  return { url: match[1] as string, admin: match[2] as string };
}

test('bad --workers and --admin-port values exit with code 2', async (t) => {
  const server = ['--port', '0', '--server', 'http://127.0.0.1:1'];
  const cases: [string[], RegExp][] = [
    [[...server, '--workers', '0'], /--workers/],
    [[...server, '--workers', 'two'], /--workers/],
    [[...server, '--admin-port', '70000'], /--admin-port/],
    [[...server, '--admin-host', '0.0.0.0'], /--admin-port/],
  ];
  await Promise.all(
    cases.map(async ([args, message]) => {
      const cli = runCli(t, ['proxy', ...args]);
      assert.equal((await cli.exited).code, 2, `${args.join(' ')}\n${cli.stderr()}`);
      assert.match(cli.stderr(), message);
    }),
  );
});

test('with --workers 2, both workers serve, a killed worker is restarted, metrics name each worker, SIGTERM drains all and exits 0', async (t) => {
  const [replica] = await startCalculators(t, 1);
  const cli = runCli(t, [
    'proxy',
    '--port',
    '0',
    '--server',
    replica!.url,
    '--workers',
    '2',
    '--admin-port',
    '0',
    '--name',
    'edge',
  ]);
  const { url, admin } = await urls(cli);
  assert.equal(cli.stdout().match(/listening on/g)?.length, 1);
  for (let i = 0; i < 6; i++) {
    const answer = await add(url, i);
    assert.equal(answer.status, 200);
    assert.match(await answer.text(), new RegExp(`<result>${i + 1}</result>`));
  }
  assert.equal(replica!.calls.Add, 6);
  const scrape = await fetch(`${admin}/metrics`);
  assert.equal(scrape.status, 200);
  const text = await scrape.text();
  assertPromtoolAccepts(text);
  // Each worker counts its own calls; together they counted every one.
  const counted = [...text.matchAll(/^soap_balancer_proxy_calls_total\{([^}]*)\} (\d+)$/gm)];
  assert.equal(
    counted.reduce((sum, [, , value]) => sum + Number(value), 0),
    6,
    text,
  );
  for (const worker of ['1', '2']) {
    assert.match(
      text,
      new RegExp(`soap_balancer_proxy_calls_in_flight\\{proxy="edge",worker="${worker}"\\} 0`),
    );
  }
  assert.equal((await fetch(`${admin}/healthz`)).status, 200);

  // A worker killed outright is replaced; the proxy keeps serving.
  const workers = execFileSync('pgrep', ['-P', String(cli.child.pid)], { encoding: 'utf8' })
    .trim()
    .split('\n');
  assert.equal(workers.length, 2);
  process.kill(Number(workers[0]), 'SIGKILL');
  await waitFor(() => cli.stderr().includes('restarting it'), 'the primary to restart the worker');
  await waitFor(
    () => fetch(`${admin}/healthz`).then((answer) => answer.status === 200),
    'both workers to listen again',
    20_000,
  );
  assert.equal((await add(url, 41)).status, 200);

  // SIGTERM: a call in flight on a worker still gets its answer, then everything exits 0.
  const release = replica!.hold();
  t.after(release);
  const call = add(url, 99);
  await waitFor(() => replica!.held === 1, 'the call to reach the replica');
  cli.child.kill('SIGTERM');
  await waitFor(() => cli.stderr().includes('draining'), 'the workers to drain');
  release();
  const answer = await call;
  assert.equal(answer.status, 200);
  assert.match(await answer.text(), /<result>100<\/result>/);
  assert.equal((await cli.exited).code, 0, cli.stderr());
});
