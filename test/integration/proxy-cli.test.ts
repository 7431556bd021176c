// `soap-balancer proxy` as a real child process.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CalculatorServer } from '../../examples/calculator/server.js';
import { waitFor } from '../helpers/monitor.js';
import { addRequest, soap11 } from '../helpers/proxy.js';
import { startCalculators } from '../helpers/servers.js';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

interface Cli {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

function runCli(t: TestContext, args: readonly string[]): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'proxy', ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function listening(cli: Cli): Promise<string> {
  const line = await waitFor(
    () => /listening on (\S+)/.exec(cli.stdout()),
    `the listening line\n${cli.stderr()}`,
  );
  return line[1] as string;
}

test('bad arguments exit with code 2 and name the flag at fault', async (t) => {
  // Each flag's checks are unit-tested (proxy-args.test.ts); here, that the process exits 2 with them.
  const cases: [string[], RegExp][] = [
    [['--server', 'http://127.0.0.1:1'], /--port/],
    [['--port', '0', '--server', 'http://127.0.0.1:1', '--max-attempts', '0'], /--max-attempts/],
  ];
  await Promise.all(
    cases.map(async ([args, message]) => {
      const cli = runCli(t, args);
      assert.equal(await cli.exited, 2, `${args.join(' ')}\n${cli.stderr()}`);
      assert.match(cli.stderr(), message);
    }),
  );
});

test('on SIGTERM the proxy stops accepting, lets the call in flight finish, and exits 0', async (t) => {
  const [replica] = (await startCalculators(t, 1)) as [CalculatorServer];
  const cli = runCli(t, ['--port', '0', '--server', replica.url]);
  const url = await listening(cli);
  const release = replica.hold();
  t.after(release);
  const call = fetch(`${url}/calculator`, {
    method: 'POST',
    body: soap11(addRequest(20, 22)),
    headers: { 'content-type': 'text/xml', soapaction: '"http://example.com/calculator/Add"' },
  });
  await waitFor(() => replica.held === 1, 'the call to reach the replica');
  cli.child.kill('SIGTERM');
  await waitFor(() => cli.stderr().includes('draining'), 'the proxy to start draining');
  // New connections are refused while the call in flight goes on.
  await waitFor(
    () =>
      fetch(`${url}/calculator?wsdl`).then(
        () => false,
        () => true,
      ),
    'new connections to be refused',
  );
  release();
  const answer = await call;
  assert.equal(answer.status, 200);
  assert.match(await answer.text(), /<result>42<\/result>/);
  assert.equal(await cli.exited, 0, cli.stderr());
});

test('with a servers file, the pool comes from the file', async (t) => {
  const replicas = await startCalculators(t, 2);
  const dir = await mkdtemp(join(tmpdir(), 'soap-balancer-proxy-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'servers.txt');
  await writeFile(file, `# the pool\n${replicas[0]!.url} id=a\n${replicas[1]!.url} id=b draining\n`);
  const cli = runCli(t, ['--port', '0', '--servers-file', file, '--idempotent', 'Add']);
  const url = await listening(cli);
  for (let i = 0; i < 4; i++) {
    const answer = await fetch(`${url}/calculator`, {
      method: 'POST',
      body: soap11(addRequest(i, 1)),
      headers: { 'content-type': 'text/xml', soapaction: '"http://example.com/calculator/Add"' },
    });
    assert.equal(answer.status, 200);
  }
  // The draining server gets nothing.
  assert.equal(replicas[0]!.calls.Add, 4);
  assert.equal(replicas[1]!.calls.Add, undefined);
  cli.child.kill('SIGINT');
  assert.equal(await cli.exited, 0, cli.stderr());
});
