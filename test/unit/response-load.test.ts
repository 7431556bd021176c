import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Balancer } from '../../src/balancer/balancer.js';
import type { Lease } from '../../src/balancer/lease.js';
import { LeastBusyPolicy } from '../../src/balancer/policies/least-busy.js';
import { formatLoadMetrics, parseLoadMetrics } from '../../src/load-report/orca.js';
import { statusSnapshot } from '../helpers/status-snapshot.js';

describe('endpoint-load-metrics (ORCA TEXT and JSON)', () => {
  test('the reporter writes TEXT with the utilization per slot and the counts as named metrics', () => {
    assert.equal(
      formatLoadMetrics(3, 4),
      'TEXT application_utilization=0.75, named_metrics.outstanding=3, named_metrics.capacity=4',
    );
    assert.equal(formatLoadMetrics(2, null), 'TEXT application_utilization=2, named_metrics.outstanding=2');
  });

  test('what the reporter writes reads back', () => {
    assert.deepEqual(parseLoadMetrics(formatLoadMetrics(3, 4)), { utilization: 0.75, capacity: 4 });
    assert.deepEqual(parseLoadMetrics(formatLoadMetrics(0, null)), { utilization: 0, capacity: undefined });
  });

  test("reads other reporters' headers: cpu_utilization when there is no application_utilization, JSON", () => {
    assert.deepEqual(parseLoadMetrics('TEXT cpu_utilization=0.3,mem_utilization=0.8,rps_fractional=10'), {
      utilization: 0.3,
      capacity: undefined,
    });
    assert.deepEqual(
      parseLoadMetrics('JSON {"application_utilization":1.5,"named_metrics":{"capacity":8}}'),
      { utilization: 1.5, capacity: 8 },
    );
  });

  test('ignores what it cannot trust: binary, malformed, negative, empty or oversized values', () => {
    for (const value of [
      undefined,
      ['TEXT application_utilization=1'],
      'BIN CAEQAg==',
      'TEXT application_utilization',
      'TEXT application_utilization=',
      'TEXT application_utilization=-1',
      'TEXT application_utilization=NaN',
      'TEXT mem_utilization=0.5',
      'JSON [1]',
      'JSON {',
      `TEXT application_utilization=1, ${'named_metrics.x=1, '.repeat(100)}`,
    ]) {
      assert.equal(parseLoadMetrics(value), undefined, String(value));
    }
    assert.deepEqual(parseLoadMetrics('TEXT application_utilization=1, named_metrics.capacity=0'), {
      utilization: 1,
      capacity: undefined,
    });
  });
});

describe('load from responses in the cost', () => {
  function setup() {
    const clock = { now: 1_000_000 };
    const balancer = new Balancer({
      servers: ['http://a', 'http://b'],
      policy: new LeastBusyPolicy({ choices: Number.POSITIVE_INFINITY }),
      downBackoffMs: 1000,
      maxDownBackoffMs: 30_000,
      now: () => clock.now,
    });
    const lease = (url: string): Lease => {
      const exclude = new Set(balancer.urls.filter((other) => other !== url));
      const picked = balancer.pick({ operation: 'Op', exclude });
      assert.equal(picked.type, 'picked');
      return (picked as { lease: Lease }).lease;
    };
    const info = (url: string) => balancer.servers().find((server) => server.url === url);
    return { balancer, clock, lease, info };
  }

  test('the load a response reports steers the next pick, with this client’s own calls counted once', () => {
    const { balancer, lease, info } = setup();
    const other = lease('http://a');
    const call = lease('http://a');
    // The server had 3 others outstanding over 2 slots when it answered: one of them is `other`.
    call.succeeded(10, { utilization: 1.5, capacity: 2 });
    call.release();
    assert.equal(info('http://a')?.load, 1.5);
    assert.equal(info('http://a')?.cost, (1.5 + 1) * 10);
    other.release();
    // `other` ended: the server is half a slot (one call of this client) less busy than it said.
    assert.equal(info('http://a')?.cost, (1 + 1) * 10);
    const picked = balancer.pick({ operation: 'Op' });
    assert.equal(picked.type === 'picked' && picked.lease.url, 'http://b');
  });

  test('counts only briefly: a server left alone is judged again by this client’s own figures', () => {
    const { clock, lease, info } = setup();
    const call = lease('http://a');
    call.succeeded(10, { utilization: 4, capacity: undefined });
    call.release();
    assert.equal(info('http://a')?.load, 4);
    clock.now += 1_000;
    assert.equal(info('http://a')?.load, undefined);
    // No occupancy left: the cost is the (decayed) latency alone.
    assert.equal(info('http://a')?.cost, info('http://a')?.latencyMs);
  });

  test('a status applied later takes over, and its load counts while the status is fresh', () => {
    const { balancer, clock, lease, info } = setup();
    const call = lease('http://a');
    call.succeeded(10, { utilization: 4, capacity: undefined });
    call.release();
    balancer.applyStatus(statusSnapshot([{ url: 'http://a', load: 0.5, loadSource: 'report', capacity: 1 }]));
    clock.now += 5_000;
    assert.equal(info('http://a')?.load, 0.5);
  });
});
