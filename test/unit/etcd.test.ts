import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseMonitorArgs } from '../../src/cli/monitor-args.js';
import { UsageError } from '../../src/cli/usage.js';
import { normalizeOptions } from '../../src/client/options.js';
import { JsonLines } from '../../src/etcd/json-lines.js';
import { electionKey, fromBase64, prefixRangeEnd, serverIdOf, serverKey } from '../../src/etcd/keys.js';
import type { KeyValue } from '../../src/etcd/kv.js';
import { normalizeReporterOptions } from '../../src/load-report/reporter-options.js';
import { EtcdStatusValues } from '../../src/status/etcd-status-values.js';
import { statusSnapshot } from '../helpers/status-snapshot.js';

const wsdlUrl = 'http://a:1/svc?wsdl';
const prefix = '/soap-balancer/v1/orders/';

describe('keys', () => {
  test('a server key URI-encodes the id, so that it never adds a level; serverIdOf reads it back', () => {
    const key = serverKey(prefix, 'http://10.0.0.1:8000/app');
    assert.equal(key, `${prefix}http%3A%2F%2F10.0.0.1%3A8000%2Fapp`);
    assert.equal(serverIdOf(prefix, key), 'http://10.0.0.1:8000/app');
    assert.equal(serverIdOf(prefix, prefix), undefined);
    assert.equal(serverIdOf(prefix, `${prefix}%E0%A4%A`), undefined);
    assert.equal(serverIdOf(prefix, '/other/x'), undefined);
  });

  test('the range end covers exactly the keys under the prefix; the election key lies outside', () => {
    assert.equal(fromBase64(prefixRangeEnd('/a/')), '/a0');
    const end = fromBase64(prefixRangeEnd(prefix));
    for (const key of [serverKey(prefix, 'x'), `${prefix}\u00ff`]) assert.ok(key >= prefix && key < end, key);
    const election = electionKey(prefix);
    assert.ok(!(election >= prefix && election < end), election);
  });
});

describe('JsonLines', () => {
  test('yields one value per line, across chunk boundaries, skipping blank lines', () => {
    const lines = new JsonLines(1024);
    const chunks = ['{"a":1}\n{"b"', ':2}\n\n{"c":', '3}\n'];
    const values = chunks.flatMap((chunk) => lines.push(Buffer.from(chunk)));
    assert.deepEqual(values, [{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  test('a line beyond the bound is a RangeError', () => {
    const lines = new JsonLines(1024);
    lines.push(Buffer.from('{"a":"'));
    assert.throws(() => lines.push(Buffer.alloc(2048, 'x')), RangeError);
  });
});

describe('EtcdStatusValues', () => {
  const kv = (
    url: string,
    fields: Partial<{ state: 'up' | 'down' | 'draining'; id: string }> = {},
  ): KeyValue => {
    const [status] = statusSnapshot([{ url, ...(fields.state ? { state: fields.state } : {}) }]).servers;
    return {
      key: serverKey(prefix, url),
      value: JSON.stringify({ ...status, id: fields.id ?? url }),
      modRevision: 1,
      lease: '0',
    };
  };

  test('a URL leaves the pool only when the last key listing it goes', () => {
    const values = new EtcdStatusValues(prefix);
    assert.deepEqual(values.reset([kv('http://a:1'), kv('http://b:1')]), []);
    const change = values.apply([
      { type: 'delete', kv: kv('http://a:1') },
      { type: 'put', kv: kv('http://b:1', { state: 'draining' }) },
      { type: 'put', kv: kv('http://c:1') },
    ]);
    assert.deepEqual(change.removals, ['http://a:1']);
    assert.deepEqual(
      change.upserts.map((status) => [status.url, status.state]),
      [
        ['http://b:1', 'draining'],
        ['http://c:1', 'up'],
      ],
    );
  });

  test('an invalid value is reported and keeps the key’s previous status', () => {
    const values = new EtcdStatusValues(prefix);
    values.reset([kv('http://a:1')]);
    const spoofed = { ...kv('http://a:1'), value: kv('http://a:1', { id: 'someone-else' }).value };
    const tooLarge: KeyValue = { ...kv('http://a:1'), value: undefined };
    const change = values.apply([
      { type: 'put', kv: spoofed },
      { type: 'put', kv: tooLarge },
    ]);
    assert.deepEqual(
      change.errors.map((error) => error.message.replace(/^etcd key "[^"]+": /, '')),
      ['id `someone-else` does not match the key', 'value larger than 16384 bytes'],
    );
    assert.deepEqual(change.upserts, []);
    assert.deepEqual(
      values.statuses.map((status) => status.url),
      ['http://a:1'],
    );
  });
});

describe('options', () => {
  test('the etcd option alone is enough, completed with its defaults; a / ends the prefix', () => {
    const options = normalizeOptions(wsdlUrl, {
      etcd: { endpoints: ['http://10.0.0.1:2379/'], prefix: '/soap-balancer/v1/orders' },
    });
    assert.deepEqual(options.servers, []);
    assert.deepEqual(options.etcd, {
      endpoints: ['http://10.0.0.1:2379'],
      prefix,
      maxAgeMs: 10_000,
      timeoutMs: 2_000,
      heartbeatMs: 1_000,
    });
  });

  test('rejects invalid etcd fields, and etcd with monitor, naming them', () => {
    const endpoints = ['http://e:2379'];
    const cases: [unknown, RegExp][] = [
      [{ endpoints: [], prefix }, /`etcd.endpoints`/],
      [{ endpoints: ['https://e:2379'], prefix }, /`etcd.endpoints\[0\]`/],
      [{ endpoints: ['http://e:2379/v3'], prefix }, /`etcd.endpoints\[0\]`/],
      [{ endpoints, prefix: 'no-slash' }, /`etcd.prefix`/],
      [{ endpoints, prefix: '/' }, /`etcd.prefix`/],
      [{ endpoints, prefix, heartbeatMs: 0 }, /`etcd.heartbeatMs`/],
      [{ endpoints, prefix, heartbeatMs: 5_000, maxAgeMs: 1_000 }, /`etcd.maxAgeMs`/],
      [{ endpoints, prefix, watch: true }, /Unknown option `etcd.watch`/],
    ];
    for (const [etcd, message] of cases) assert.throws(() => normalizeOptions(wsdlUrl, { etcd }), message);
    assert.throws(
      () => normalizeOptions(wsdlUrl, { etcd: { endpoints, prefix }, monitor: { url: 'http://m' } }),
      /`monitor` or `etcd`/,
    );
  });

  test("the reporter's etcd option: id defaults to the URL; fields are checked", () => {
    const { etcd } = normalizeReporterOptions({
      etcd: { endpoints: ['http://e:2379'], prefix, url: 'http://10.0.0.5:8000/' },
    });
    assert.deepEqual(etcd, {
      endpoints: ['http://e:2379'],
      prefix,
      leaseTtlSeconds: 5,
      timeoutMs: 2_000,
      url: 'http://10.0.0.5:8000',
      id: 'http://10.0.0.5:8000',
    });
    const base = { endpoints: ['http://e:2379'], prefix, url: 'http://r:1' };
    assert.throws(() => normalizeReporterOptions({ etcd: { ...base, url: 'nope' } }), /`etcd.url`/);
    assert.throws(() => normalizeReporterOptions({ etcd: { ...base, id: '' } }), /`etcd.id`/);
    assert.throws(
      () => normalizeReporterOptions({ etcd: { ...base, leaseTtlSeconds: 0 } }),
      /`etcd.leaseTtlSeconds`/,
    );
  });

  test('the monitor CLI flags --etcd, --etcd-prefix and --etcd-lease-ttl', () => {
    const command = parseMonitorArgs(
      [
        '--server',
        'http://a:1',
        '--etcd',
        'http://e1:2379',
        '--etcd',
        'http://e2:2379',
        '--etcd-prefix',
        prefix,
        '--etcd-lease-ttl',
        '3',
      ],
      {},
    );
    assert.deepEqual(command.etcd, {
      endpoints: ['http://e1:2379', 'http://e2:2379'],
      prefix,
      leaseTtlSeconds: 3,
      timeoutMs: 2_000,
    });
    assert.equal(parseMonitorArgs(['--server', 'http://a:1'], {}).etcd, undefined);
    const invalid: [string[], RegExp][] = [
      [['--etcd', 'http://e:2379'], /`--etcd` needs `--etcd-prefix P`/],
      [['--etcd-prefix', prefix], /need `--etcd URL`/],
      [['--etcd', 'ftp://e', '--etcd-prefix', prefix], /`--etcd`/],
      [['--etcd', 'http://e:2379', '--etcd-prefix', 'x'], /`--etcd-prefix`/],
      [['--etcd', 'http://e:2379', '--etcd-prefix', prefix, '--etcd-lease-ttl', '0'], /`--etcd-lease-ttl`/],
    ];
    for (const [args, message] of invalid) {
      assert.throws(
        () => parseMonitorArgs(['--server', 'http://a:1', ...args], {}),
        (error: unknown) => error instanceof UsageError && message.test(error.message),
        args.join(' '),
      );
    }
  });
});
