import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseMonitorArgs } from '../../src/cli/monitor-args.js';
import { runCli } from '../../src/cli/run.js';
import { UsageError } from '../../src/cli/usage.js';
import { parseServersFile, ServersFileError } from '../../src/servers-file/servers-file.js';
import { ServersFileWatcher } from '../../src/servers-file/watcher.js';

describe('parseServersFile', () => {
  test('reads URLs with optional id= and draining, skipping comments and blank lines', () => {
    const text = [
      '# the pool',
      'http://a:1/',
      '  https://b:2/app   id=b draining   # being upgraded',
      '',
      'http://c:3 draining id=c-3\r',
      '   # indented comment',
    ].join('\n');
    assert.deepEqual(parseServersFile(text, 'servers.txt'), [
      { id: 'http://a:1', url: 'http://a:1', draining: false },
      { id: 'b', url: 'https://b:2/app', draining: true },
      { id: 'c-3', url: 'http://c:3', draining: true },
    ]);
  });

  test('stops at the first server past the 10,000 one monitor watches, naming the line', () => {
    const lines = (count: number) =>
      Array.from({ length: count }, (_, i) => `http://127.0.0.1:1/s${i}`).join('\n');
    assert.equal(parseServersFile(lines(10_000), 'f').length, 10_000);
    assert.throws(
      () => parseServersFile(`# header\n${lines(10_001)}`, 'f'),
      (error: unknown) =>
        error instanceof ServersFileError &&
        error.message === 'f:10002: more than 10000 servers, the most one monitor watches',
    );
  });

  test('an empty file is an empty pool', () => {
    assert.deepEqual(parseServersFile('# nothing yet\n', 'f'), []);
  });

  const invalid: [string, RegExp][] = [
    ['http://a:1 weight=3', /^f:1: unexpected `weight=3`/],
    ['\nhttp://a:1 id=x id=y', /^f:2: unexpected `id=y`/],
    ['http://a:1 id=', /^f:1: .*`server\.id` to be a non-empty string/],
    ['a:1', /^f:1: .*absolute http\(s\) base URL/],
    ['http://a:1/#x', /^f:1: .*without query or hash/],
    ['http://a:1\nhttp://a:1/', /distinct URLs, got `http:\/\/a:1` twice/],
    ['http://a:1 id=x\nhttp://b:1 id=x', /distinct ids, got `x` twice/],
  ];
  for (const [text, message] of invalid) {
    test(`rejects ${JSON.stringify(text)} naming the line`, () => {
      assert.throws(
        () => parseServersFile(text, 'f'),
        (error: unknown) => error instanceof ServersFileError && message.test(error.message),
      );
    });
  }
});

describe('ServersFileWatcher', () => {
  test('applies a file rewritten in place only once it stays the same from one check to the next', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'soap-balancer-watch-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'servers.txt');
    await writeFile(path, 'http://a:1\nhttp://b:1\n');
    const watcher = new ServersFileWatcher(path);
    assert.equal((await watcher.read()).length, 2);
    const applied: string[][] = [];
    const errors: string[] = [];
    const check = () =>
      watcher.check(
        (entries) => applied.push(entries.map((entry) => entry.id)),
        (error) => errors.push(error.message),
      );

    // What a checker may see of `echo ... > servers.txt` or an editor saving in place: truncated, then part.
    await writeFile(path, '');
    await check();
    await writeFile(path, 'http://a:1\nhttp://c');
    await check();
    await writeFile(path, 'http://a:1\nhttp://c:1\n');
    await check();
    assert.deepEqual(applied, [], 'nothing applied while the file kept changing');
    await check();
    assert.deepEqual(applied, [['http://a:1', 'http://c:1']]);
    await check();
    assert.deepEqual(applied.length, 1, 'an unchanged file is not applied again');

    await writeFile(path, 'http://a:1 weight=2\n');
    await check();
    await check();
    await check();
    assert.deepEqual(errors, [
      `${path}:1: unexpected \`weight=2\` (expected \`id=NAME\` or \`draining\`, once each)`,
    ]);
    assert.equal(applied.length, 1);
  });
});

describe('parseMonitorArgs', () => {
  test('maps every flag to its monitor option', () => {
    const command = parseMonitorArgs(
      [
        '--server=http://a:1/',
        '--server',
        'http://b:1',
        '--servers-file',
        'pool.txt',
        '--port',
        '0',
        '--host',
        '::1',
        '--interval-ms',
        '500',
        '--timeout-ms',
        '200',
        '--health-path',
        '/calculator?wsdl',
        '--load-path',
        '/load',
        '--rise',
        '1',
        '--fall',
        '4',
        '--concurrency',
        '8',
        '--token',
        'flag-token',
        '--log-format',
        'json',
        '--etag-load-threshold',
        '0.25',
      ],
      { SOAP_BALANCER_MONITOR_TOKEN: 'env-token' },
    );
    assert.deepEqual(command, {
      servers: [
        { id: 'http://a:1', url: 'http://a:1', draining: false },
        { id: 'http://b:1', url: 'http://b:1', draining: false },
      ],
      serversFile: 'pool.txt',
      port: 0,
      host: '::1',
      logFormat: 'json',
      options: {
        intervalMs: 500,
        timeoutMs: 200,
        rise: 1,
        fall: 4,
        concurrency: 8,
        healthPath: '/calculator?wsdl',
        loadPath: '/load',
        token: 'flag-token',
        etagLoadThreshold: 0.25,
      },
    });
  });

  test('defaults: port 8700 on 127.0.0.1, token from the environment, --no-load-path', () => {
    const command = parseMonitorArgs(['--server', 'http://a:1', '--no-load-path'], {
      SOAP_BALANCER_MONITOR_TOKEN: 'env-token',
    });
    assert.deepEqual([command.port, command.host, command.logFormat], [8700, '127.0.0.1', 'text']);
    assert.deepEqual(command.options, { loadPath: false, token: 'env-token' });
    assert.equal(
      parseMonitorArgs(['--server', 'http://a:1'], { SOAP_BALANCER_MONITOR_TOKEN: '' }).options.token,
      undefined,
    );
  });

  const invalid: [string[], RegExp][] = [
    [[], /--server URL` or `--servers-file FILE/],
    [['--server', 'http://a:1', '--log-format', 'xml'], /`--log-format` must be text or json, got `xml`/],
    [
      ['--server', 'http://a:1', '--etag-load-threshold', '-1'],
      /'--etag-load-threshold' argument is ambiguous/,
    ],
    [
      ['--server', 'http://a:1', '--etag-load-threshold=1e3'],
      /`--etag-load-threshold` expects a number such as 0.1, got `1e3`/,
    ],
    [['--server', 'http://a:1', '--port', '-1'], /'--port' argument is ambiguous/],
    [['--server', 'http://a:1', '--port=-1'], /`--port` expects a whole number, got `-1`/],
    [['--server', 'http://a:1', '--port', '70000'], /`--port` must be at most 65535/],
    [['--server', 'http://a:1', '--interval-ms', '1e3'], /`--interval-ms` expects a whole number, got `1e3`/],
    [
      ['--server', 'http://a:1', '--interval-ms', '100'],
      /`--timeout-ms` \(1000\) to be at most `--interval-ms` \(100\)/,
    ],
    [['--server', 'http://a:1', '--concurrency', '0'], /`--concurrency` to be an integer >= 1/],
    [
      ['--server', 'http://a:1', '--interval-ms', '2147483648', '--timeout-ms', '1000'],
      /`--interval-ms` to be an integer >= 1 and <= 2147483647 \(ms\), got `2147483648`/,
    ],
    [
      ['--server', 'http://a:1', '--interval-ms', '99999999999', '--timeout-ms', '99999999999'],
      /`--interval-ms` to be an integer >= 1 and <= 2147483647 \(ms\)/,
    ],
    [['--server', 'http://a:1', '--health-path', 'x'], /`--health-path` to be a path/],
    [['--server', 'http://a:1', '--load-path', '/l', '--no-load-path'], /exclude each other/],
    [['--server', 'ftp://a:1'], /`--server` to be an absolute http\(s\) base URL/],
    [['--server', 'http://a:1', 'extra'], /extra/],
    [['--server', 'http://a:1', '--host', ''], /`--host` must not be empty/],
  ];
  for (const [args, message] of invalid) {
    test(`rejects ${args.join(' ') || 'no arguments'}`, () => {
      assert.throws(
        () => parseMonitorArgs(args, {}),
        (error: unknown) => error instanceof UsageError && message.test(error.message),
      );
    });
  }
});

describe('runCli', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line), env: {} },
    };
  };

  test('prints the usage without arguments and with --help, and the version with --version', async () => {
    for (const args of [[], ['--help'], ['-h']]) {
      const { out, io: cli } = io();
      assert.equal(await runCli(args, cli), 0);
      assert.match(out.join('\n'), /^Usage: soap-balancer <command>/);
    }
    const { out, io: cli } = io();
    assert.equal(await runCli(['--version'], cli), 0);
    assert.match(out[0] ?? '', /^\d+\.\d+\.\d+/);
  });

  test('monitor --help wins over other arguments, even bad ones', async () => {
    const { out, io: cli } = io();
    assert.equal(await runCli(['monitor', '--bogus', '--help'], cli), 0);
    assert.match(out.join('\n'), /--servers-file FILE/);
  });

  test('a servers file past 10,000 servers, alone or with --server, exits 2 with a message', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'soap-balancer-cli-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const serversFile = async (count: number) => {
      const path = join(dir, `servers-${count}.txt`);
      await writeFile(path, Array.from({ length: count }, (_, i) => `http://127.0.0.1:1/s${i}\n`).join(''));
      return path;
    };

    const alone = io();
    assert.equal(await runCli(['monitor', '--servers-file', await serversFile(10_001)], alone.io), 2);
    assert.match(alone.err[0] ?? '', /^soap-balancer: `--servers-file`: .*:10001: more than 10000 servers/);

    const together = io();
    const args = ['monitor', '--server', 'http://127.0.0.1:1', '--servers-file', await serversFile(10_000)];
    assert.equal(await runCli(args, together.io), 2);
    assert.deepEqual(together.err, [
      'soap-balancer: `--server` and `--servers-file` give 10001 servers, more than the 10000 one monitor watches',
      'Run `soap-balancer monitor --help` for usage.',
    ]);
  });

  test('bad arguments exit 2 with the message and a hint', async () => {
    const { err, io: cli } = io();
    assert.equal(await runCli(['monitor', '--rise', 'x'], cli), 2);
    assert.deepEqual(err, [
      'soap-balancer: `--rise` expects a whole number, got `x`',
      'Run `soap-balancer monitor --help` for usage.',
    ]);
  });
});
