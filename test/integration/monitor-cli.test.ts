import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { parseStatusSnapshot, type StatusSnapshot } from '../../src/status/schema.js';
import { runCli } from '../helpers/cli.js';
import { loadReport, sendJson, waitFor } from '../helpers/monitor.js';
import { refusedUrl, startPlainServer } from '../helpers/servers.js';

/** The messages of the CLI's text log lines (`<ISO time> <LEVEL> <message>`), checked to be such lines. */
function messages(log: string): string[] {
  return log
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO |WARN |ERROR) (.*)$/.exec(line);
      assert.ok(match, `a log line: ${line}`);
      return match[2]!;
    });
}

async function statusOf(url: string, headers: Record<string, string> = {}): Promise<StatusSnapshot> {
  const response = await fetch(url, { headers });
  assert.equal(response.status, 200);
  return parseStatusSnapshot(await response.json());
}

/** Writes the file's new content aside, then renames it over the file: it is never seen half written. */
async function replaceFile(file: string, text: string): Promise<void> {
  await writeFile(`${file}.new`, text);
  await rename(`${file}.new`, file);
}

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'soap-balancer-monitor-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('the CLI serves /status on the port it picked, follows its servers file, and exits 0 on SIGTERM', async (t) => {
  const replica = () => startPlainServer(t, (_request, response) => sendJson(response, 200, loadReport()));
  const [a, b] = [await replica(), await replica()];
  const file = join(await tempDir(t), 'servers.txt');
  await writeFile(file, `# the pool\n${a.url}/ id=a   # first\n\n`);
  const cli = runCli(t, [
    'monitor',
    '--servers-file',
    file,
    '--port',
    '0',
    // Probes have time to spare on a loaded machine: a probe that times out would show the server down.
    '--interval-ms',
    '200',
    '--timeout-ms',
    '200',
  ]);

  const line = await waitFor(
    () => /^soap-balancer monitor listening on (http:\/\/127\.0\.0\.1:\d+\/status)$/m.exec(cli.stdout()),
    'the listening line',
    30_000,
  );
  const url = line[1]!;
  assert.doesNotMatch(url, /:0\//);
  const first = await statusOf(url);
  assert.deepEqual(
    first.servers.map((s) => [s.id, s.url, s.state, s.loadSource]),
    [['a', a.url, 'up', 'report']],
  );

  await writeFile(file, `${a.url} id=a draining\n${b.url} id=b\n`);
  await waitFor(async () => {
    const states = (await statusOf(url)).servers.map((s) => `${s.id}:${s.state}`);
    return states.join() === 'a:draining,b:up';
  }, 'the reloaded file in /status');

  await writeFile(file, `${b.url} id=b\n`);
  await waitFor(async () => (await statusOf(url)).servers.map((s) => s.id).join() === 'b', 'a removed');

  cli.child.kill('SIGTERM');
  // The CLI does not call process.exit(): exiting by itself shows that close() left nothing behind.
  assert.deepEqual(await cli.exited, { code: 0, signal: null }, cli.stderr());
  assert.match(cli.stderr(), /servers file reloaded: 2 servers \(1 added, 0 removed\)/);
});

test('the CLI applies a reloaded servers file whole or not at all: past 10,000 servers, nothing changes', async (t) => {
  const replica = () => startPlainServer(t, (_request, response) => sendJson(response, 200, loadReport()));
  const [a, b] = [await replica(), await replica()];
  const file = join(await tempDir(t), 'servers.txt');
  await writeFile(file, `${b.url} id=b\n`);
  const cli = runCli(t, [
    'monitor',
    ...['--server', a.url, '--servers-file', file, '--port', '0'],
    ...['--interval-ms', '200', '--timeout-ms', '200'],
  ]);
  const url = (
    await waitFor(() => /listening on (\S+)/.exec(cli.stdout()), 'the listening line', 30_000)
  )[1]!;
  // Membership only: whether a replica is up is not what this test is about.
  const pool = async () => {
    const ids = (await statusOf(url)).servers.map((s) => s.id);
    return ids.length > 3 ? `${ids.length} servers` : ids.join();
  };
  const reloads = () => messages(cli.stderr()).filter((message) => message.startsWith('servers file '));
  assert.equal(await pool(), `${a.url},b`, cli.stderr());

  // 10,000 in the file, one more from --server. Nothing on port 1: were they applied, they would show.
  const lines = (count: number) => Array.from({ length: count }, (_, i) => `http://127.0.0.1:1/s${i}\n`);
  await replaceFile(file, lines(10_000).join(''));
  await waitFor(() => reloads().length === 1, 'the reload');
  assert.equal(await pool(), `${a.url},b`, 'nothing was removed or added');
  assert.match(reloads()[0]!, /^servers file not applied: .*give 10001 servers/);

  await replaceFile(file, lines(10_001).join(''));
  await waitFor(() => reloads().length === 2, 'the second reload');
  assert.equal(await pool(), `${a.url},b`, cli.stderr());
  assert.match(reloads()[1]!, /^servers file not applied: .*:10001: more than 10000 servers/);

  cli.child.kill('SIGTERM');
  assert.deepEqual(await cli.exited, { code: 0, signal: null }, cli.stderr());
});

test('the CLI takes the token from the environment and requires it on /status; logs why a server is down', async (t) => {
  const replica = await startPlainServer(t, (_request, response) => sendJson(response, 200, loadReport()));
  const refused = await refusedUrl();
  const cli = runCli(t, ['monitor', '--server', replica.url, '--server', refused, '--port', '0'], {
    SOAP_BALANCER_MONITOR_TOKEN: 'from-env',
  });
  const line = await waitFor(() => /listening on (\S+)/.exec(cli.stdout()), 'the listening line', 30_000);
  const url = line[1]!;
  assert.equal((await fetch(url)).status, 401);
  assert.equal((await statusOf(url, { Authorization: 'Bearer from-env' })).servers.length, 2);
  const down = `server ${refused} is down (SOAPBAL_PROBE_FAILED: Probe GET ${refused}/soap-balancer/load failed: connection refused (ECONNREFUSED))`;
  await waitFor(() => cli.stderr().includes(down), 'the down server logged with the reason');
  assert.ok(
    messages(cli.stderr()).includes(`first round done: 1 of 2 servers alive; down: ${refused}`),
    cli.stderr(),
  );
  assert.equal((await fetch(url.replace('/status', '/healthz'))).status, 200);
  cli.child.kill('SIGINT');
  assert.equal((await cli.exited).code, 0);
});

test('with --log-format json, every log line is a JSON object; draining from the servers file is logged as draining', async (t) => {
  const replica = await startPlainServer(t, (_request, response) => sendJson(response, 200, loadReport()));
  const refused = await refusedUrl();
  const file = join(await tempDir(t), 'servers.txt');
  await writeFile(file, `${replica.url} id=a\n${refused} id=gone\n`);
  const cli = runCli(t, [
    'monitor',
    ...['--servers-file', file, '--port', '0', '--log-format', 'json'],
    ...['--interval-ms', '200', '--timeout-ms', '200'],
  ]);
  await waitFor(() => /listening on (\S+)/.exec(cli.stdout()), 'the listening line', 30_000);
  const events = () =>
    cli
      .stderr()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  const first = await waitFor(() => events()[0], 'the first round line');
  assert.equal(first.msg, 'first round done: 1 of 2 servers alive; down: gone');
  assert.deepEqual(first.down, ['gone']);
  assert.equal(first.level, 'warn');
  assert.ok(!Number.isNaN(Date.parse(String(first.time))), String(first.time));

  await replaceFile(file, `${replica.url} id=a draining\n${refused} id=gone\n`);
  const drained = await waitFor(
    () => events().find((event) => event.msg === 'server a is draining'),
    'the drain logged',
  );
  assert.deepEqual([drained.server, drained.state, drained.level], ['a', 'draining', 'info']);
  cli.child.kill('SIGTERM');
  assert.equal((await cli.exited).code, 0);
  assert.deepEqual(events().at(-1)?.msg, 'SIGTERM: closing');
});

test('the CLI exits 2 naming the flag for bad arguments, and a bad servers file', async (t) => {
  const file = join(await tempDir(t), 'servers.txt');
  await writeFile(file, 'http://a:1\nhttp://b:1 weight=2\n');
  const tooLong = join(await tempDir(t), 'servers-too-long.txt');
  await writeFile(tooLong, Array.from({ length: 10_001 }, (_, i) => `http://127.0.0.1:1/s${i}\n`).join(''));
  const cases: [string[], RegExp][] = [
    [['monitor', '--server', 'http://a:1', '--fall', 'zero'], /`--fall` expects a whole number, got `zero`/],
    [['monitor', '--server', 'http://a:1', '--colour'], /Unknown option '--colour'/],
    [['monitor', '--servers-file', file], /servers\.txt:2: unexpected `weight=2`/],
    [['monitr'], /Unknown command `monitr`/],
    [['monitor', '--servers-file', tooLong], /servers-too-long\.txt:10001: more than 10000 servers/],
  ];
  for (const [args, message] of cases) {
    const cli = runCli(t, args);
    assert.equal((await cli.exited).code, 2, args.join(' '));
    assert.match(cli.stderr(), message);
    assert.match(cli.stderr(), /--help` for usage/);
  }
});

test('the CLI prints its usage and version', async (t) => {
  const help = runCli(t, ['monitor', '--help']);
  assert.equal((await help.exited).code, 0);
  assert.match(help.stdout(), /^Usage: soap-balancer monitor --server URL/);
  assert.match(help.stdout(), /--no-load-path/);
  const version = runCli(t, ['--version']);
  assert.equal((await version.exited).code, 0);
  assert.match(version.stdout(), /^\d+\.\d+\.\d+\n$/);
});
