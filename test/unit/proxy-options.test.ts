import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeProxyOptions } from '../../src/proxy/options.js';

const etcd = { endpoints: ['http://127.0.0.1:2379'], prefix: '/soap-balancer/v1/calc/' };

test("the proxy's etcd option is the client's, completed with its defaults; one status source at most", () => {
  const config = normalizeProxyOptions({ etcd });
  assert.deepEqual(
    [config.servers, config.etcd?.prefix, config.etcd?.maxAgeMs, config.name],
    [[], etcd.prefix, 10_000, 'proxy'],
  );
  assert.throws(
    () => normalizeProxyOptions({ etcd, monitor: { url: 'http://m:8700' } }),
    /`monitor` and `etcd`/,
  );
  assert.throws(
    () => normalizeProxyOptions({ etcd, statusSource: () => undefined }),
    /`etcd` and `statusSource`/,
  );
  assert.throws(() => normalizeProxyOptions({ etcd: { ...etcd, prefix: '' } }), /`etcd.prefix`/);
  assert.throws(
    () => normalizeProxyOptions({ etcd: { ...etcd, endpoints: ['ftp://x'] } }),
    /`etcd.endpoints/,
  );
  assert.throws(() => normalizeProxyOptions({ servers: ['http://a:1'], name: '' }), /`name`/);
  assert.equal(normalizeProxyOptions({ servers: ['http://a:1'], name: 'edge' }).name, 'edge');
});
