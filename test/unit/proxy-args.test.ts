import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProxyArgs } from '../../src/cli/proxy-args.js';
import { UsageError } from '../../src/cli/usage.js';

const server = ['--server', 'http://127.0.0.1:8001'];

test('the proxy flags become the library options', () => {
  const { options, serversFile } = parseProxyArgs(
    [
      '--port',
      '8080',
      '--host',
      '0.0.0.0',
      ...server,
      '--server',
      'http://127.0.0.1:8002',
      '--idempotent',
      'Add,Get',
      '--idempotent',
      'Sum',
      '--public-url',
      'https://soap.example.com',
      '--allow',
      'http://10.0.0.*:8000',
      '--max-attempts',
      '2',
      '--timeout-ms',
      '500',
      '--max-body-bytes',
      '1000',
      '--replay-body-bytes',
      '100',
    ],
    {},
  );
  assert.equal(serversFile, undefined);
  assert.deepEqual(options, {
    port: 8080,
    host: '0.0.0.0',
    servers: ['http://127.0.0.1:8001', 'http://127.0.0.1:8002'],
    idempotent: ['Add', 'Get', 'Sum'],
    publicUrl: 'https://soap.example.com',
    allow: ['http://10.0.0.*:8000'],
    maxAttempts: 2,
    timeoutMs: 500,
    maxBodyBytes: 1000,
    replayBodyBytes: 100,
  });
  assert.equal(parseProxyArgs(['--port', '0', ...server, '--idempotent', '*'], {}).options.idempotent, true);
  const monitor = parseProxyArgs(['--port', '0', '--monitor', 'http://m:8700'], {
    SOAP_BALANCER_MONITOR_TOKEN: 't',
  });
  assert.deepEqual(monitor.options.monitor, { url: 'http://m:8700', token: 't' });
  assert.equal(parseProxyArgs(['--port', '0', '--servers-file', 'f.txt'], {}).serversFile, 'f.txt');
  const etcd = parseProxyArgs(
    ['--port', '0', '--etcd', 'http://e1:2379', '--etcd', 'http://e2:2379', '--etcd-prefix', '/p/'],
    {},
  );
  const plain = parseProxyArgs(['--port', '0', ...server], {});
  assert.deepEqual([plain.admin, plain.workers], [undefined, 1]);
  const scaled = parseProxyArgs(
    ['--port', '0', ...server, '--admin-port', '9090', '--workers', '4', '--name', 'edge'],
    {},
  );
  assert.deepEqual(
    [scaled.admin, scaled.workers, scaled.options.name],
    [{ port: 9090, host: '127.0.0.1' }, 4, 'edge'],
  );
  const host = parseProxyArgs(['--port', '0', ...server, '--admin-port', '0', '--admin-host', '::1'], {});
  assert.deepEqual(host.admin, { port: 0, host: '::1' });
  assert.deepEqual(etcd.options.etcd, { endpoints: ['http://e1:2379', 'http://e2:2379'], prefix: '/p/' });
});

test('bad proxy flags are usage errors that name the flag', () => {
  const cases: [string[], RegExp][] = [
    [server, /--port P/],
    [['--port', '0'], /--server URL/],
    [['--port', 'eighty', ...server], /`--port` expects a whole number/],
    [['--port', '70000', ...server], /`--port`/],
    [['--port', '0', '--server', 'ftp://x'], /`--server`/],
    [['--port', '0', ...server, '--max-attempts', '0'], /`--max-attempts`/],
    [['--port', '0', ...server, '--public-url', 'http://x/path'], /`--public-url`/],
    [['--port', '0', ...server, '--idempotent', 'Add,,Get'], /Empty name/],
    [['--port', '0', ...server, '--allow', 'not a pattern'], /allow/],
    [['--port', '0', '--monitor', 'http://127.0.0.1:1', '--servers-file', 'f'], /exclude each other/],
    [['--port', '0', '--etcd', 'http://e:2379'], /`--etcd` needs `--etcd-prefix P`/],
    [['--port', '0', ...server, '--etcd-prefix', '/p/'], /`--etcd-prefix` needs `--etcd URL`/],
    [['--port', '0', '--etcd', 'ftp://e', '--etcd-prefix', '/p/'], /`--etcd`/],
    [['--port', '0', '--etcd', 'http://e:2379', '--etcd-prefix', ''], /`--etcd-prefix`/],
    [
      ['--port', '0', '--etcd', 'http://e:2379', '--etcd-prefix', '/p/', '--monitor', 'http://m'],
      /exclude each other/,
    ],
    [
      ['--port', '0', '--etcd', 'http://e:2379', '--etcd-prefix', '/p/', '--servers-file', 'f'],
      /exclude each other/,
    ],
    [['--port', '0', ...server, '--workers', '65'], /`--workers` must be between 1 and 64/],
    [['--port', '0', ...server, '--admin-host', 'h'], /`--admin-host` needs `--admin-port N`/],
    [['--port', '0', ...server, '--name', ''], /`--name`/],
    [['--port', '0', ...server, '--frobnicate'], /frobnicate/],
    [['--port', '0', ...server, 'stray'], /stray|positional/i],
  ];
  for (const [args, message] of cases) {
    assert.throws(
      () => parseProxyArgs(args, {}),
      (error: unknown) => {
        assert.ok(error instanceof UsageError, String(error));
        assert.match(error.message, message, args.join(' '));
        return true;
      },
    );
  }
});
