import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { loadReport, monitorFor, patientProbing, sendJson, waitFor } from '../helpers/monitor.js';
import { refusedUrl, startPlainServer } from '../helpers/servers.js';

async function pool(t: Parameters<typeof startPlainServer>[0], token?: string) {
  const busy = await startPlainServer(t, (_request, response) =>
    sendJson(response, 200, loadReport({ inFlight: 3, capacity: 4, served: 42 })),
  );
  const refused = await refusedUrl();
  const monitor = monitorFor(t, {
    servers: [
      { url: busy.url, id: 'busy' },
      { url: refused, id: 'gone' },
    ],
    ...patientProbing,
    ...(token === undefined ? {} : { token }),
  });
  await monitor.start();
  const { url } = await monitor.listen({ port: 0 });
  return { url, base: url.replace(/\/status$/, ''), busy, refused, monitor };
}

test('status prints the pool as a table, from the monitor base URL or its /status URL', async (t) => {
  const { url, base, busy, refused } = await pool(t);
  for (const monitor of [base, url]) {
    const cli = runCli(t, ['status', '--monitor', monitor]);
    assert.deepEqual(await cli.exited, { code: 0, signal: null }, cli.stderr());
    const lines = cli.stdout().trimEnd().split('\n');
    assert.match(lines[0]!, new RegExp(`^${url} +1 of 2 servers alive`));
    assert.deepEqual(lines[2]!.split(/ +/), [
      'SERVER',
      'STATE',
      'LOAD',
      'SOURCE',
      'INFLIGHT',
      'QUEUED',
      'CAP',
      'SERVED',
      'LATENCY',
      'LASTCHK',
      'URL',
    ]);
    const [busyRow, goneRow] = lines.slice(3).map((line) => line.split(/ +/));
    assert.deepEqual(busyRow?.slice(0, 8), ['busy', 'UP', '0.75', 'report', '3', '0', '4', '42']);
    assert.equal(busyRow?.at(-1), busy.url);
    assert.deepEqual(goneRow?.slice(0, 2), ['gone', 'DOWN']);
    assert.equal(goneRow?.at(-1), refused);
  }
});

test('status --watch redraws until Ctrl-C, says when the monitor stops answering, then exits 0', async (t) => {
  const { base, monitor } = await pool(t);
  const cli = runCli(t, ['status', '--monitor', base, '--watch', '--interval-ms', '50']);
  const frames = () => cli.stdout().split('\x1b[H\x1b[2J').slice(1);
  await waitFor(() => frames().filter((frame) => frame.includes('busy')).length >= 3, 'three frames', 30_000);

  await monitor.close();
  const notUpdated = await waitFor(
    () => frames().find((frame) => frame.includes('not updated')),
    'a frame saying the monitor is not answering',
    30_000,
  );
  assert.match(notUpdated, /cannot reach the monitor at .*ECONNREFUSED/);
  cli.child.kill('SIGINT');
  assert.deepEqual(await cli.exited, { code: 0, signal: null }, cli.stderr());
});

test('status sends the token, and says so when the monitor refuses it', async (t) => {
  const { base } = await pool(t, 's3cret');
  const refused = runCli(t, ['status', '--monitor', base, '--token', 'wrong']);
  assert.equal((await refused.exited).code, 1);
  assert.match(refused.stderr(), /refused the token \(HTTP 401\)/);
  const fromEnv = runCli(t, ['status', '--monitor', base], { SOAP_BALANCER_MONITOR_TOKEN: 's3cret' });
  assert.equal((await fromEnv.exited).code, 0, fromEnv.stderr());
  assert.match(fromEnv.stdout(), /^busy +UP/m);
});

test('status exits 1 with a clear message when the monitor cannot be reached, 2 for bad arguments', async (t) => {
  const dead = await refusedUrl();
  const unreachable = runCli(t, ['status', '--monitor', dead, '--timeout-ms', '2000']);
  assert.equal((await unreachable.exited).code, 1);
  assert.match(
    unreachable.stderr(),
    new RegExp(`cannot reach the monitor at ${dead}/status \\(.*ECONNREFUSED`),
  );
  assert.equal(unreachable.stdout(), '');

  const cases: [string[], RegExp][] = [
    [['status'], /Give the monitor with `--monitor URL`/],
    [['status', '--monitor', 'ftp://x'], /`--monitor` must be an http\(s\) URL, got `ftp:\/\/x`/],
    [['status', '--monitor', 'http://a:1', '--interval-ms', '0'], /`--interval-ms` expects a whole number/],
    [['status', '--monitor', 'http://a:1', '--colour'], /Unknown option '--colour'/],
  ];
  for (const [args, message] of cases) {
    const cli = runCli(t, args);
    assert.equal((await cli.exited).code, 2, args.join(' '));
    assert.match(cli.stderr(), message);
    assert.match(cli.stderr(), /soap-balancer status --help` for usage/);
  }
});
