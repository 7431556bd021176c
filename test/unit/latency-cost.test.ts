import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Balancer } from '../../src/balancer/balancer.js';
import { PeakEwma } from '../../src/balancer/latency.js';
import type { Lease } from '../../src/balancer/lease.js';
import { LeastBusyPolicy } from '../../src/balancer/policies/least-busy.js';
import { statusSnapshot } from '../helpers/status-snapshot.js';

describe('PeakEwma', () => {
  test('takes the first sample, and jumps at once to a slower one', () => {
    const ewma = new PeakEwma(10_000);
    ewma.observe(50, 0);
    assert.equal(ewma.valueAt(0), 50);
    ewma.observe(250, 0);
    assert.equal(ewma.valueAt(0), 250);
  });

  test('comes down to faster samples gradually, by the time since the last one', () => {
    const ewma = new PeakEwma(10_000);
    ewma.observe(250, 0);
    ewma.observe(50, 10_000);
    const weight = Math.exp(-1);
    assert.ok(Math.abs(ewma.valueAt(10_000) - (250 * weight + 50 * (1 - weight))) < 1e-9);
  });

  test('decays toward 0 while no sample comes, so an idle server is tried again', () => {
    const ewma = new PeakEwma(10_000);
    ewma.observe(250, 0);
    assert.ok(Math.abs(ewma.valueAt(10_000) - 250 / Math.E) < 1e-9);
    assert.ok(ewma.valueAt(60_000) < 1);
  });
});

describe('latency-aware cost', () => {
  function setup() {
    const clock = { now: 1_000_000 };
    const balancer = new Balancer({
      servers: ['http://fast', 'http://slow', 'http://new'],
      policy: new LeastBusyPolicy({ choices: Number.POSITIVE_INFINITY }),
      downBackoffMs: 1000,
      maxDownBackoffMs: 30_000,
      now: () => clock.now,
    });
    /** Leases `url` (as a call in flight there). */
    const lease = (url: string): Lease => {
      const exclude = new Set(balancer.urls.filter((other) => other !== url));
      const picked = balancer.pick({ operation: 'Op', exclude });
      assert.equal(picked.type, 'picked');
      return (picked as { lease: Lease }).lease;
    };
    /** A call to `url` answered after `latencyMs`. */
    const answered = (url: string, latencyMs: number): void => {
      const call = lease(url);
      call.succeeded(latencyMs);
      call.release();
    };
    const pickUrl = (): string | undefined => {
      const picked = balancer.pick({ operation: 'Op' });
      if (picked.type !== 'picked') return undefined;
      picked.lease.release();
      return picked.lease.url;
    };
    return { balancer, clock, lease, answered, pickUrl };
  }

  test('a server five times slower loses to a fast one that already has two calls in flight', () => {
    const { balancer, lease, answered } = setup();
    answered('http://fast', 50);
    answered('http://slow', 250);
    lease('http://fast');
    lease('http://fast');
    const costs = balancer.servers().map((server) => server.cost);
    assert.deepEqual(costs.slice(0, 2), [150, 250]);
  });

  test('a server without a sample is assumed to answer like the pool on average', () => {
    const { balancer, answered } = setup();
    answered('http://fast', 50);
    answered('http://slow', 250);
    assert.equal(balancer.servers()[2]?.cost, 150);
    assert.equal(balancer.servers()[2]?.latencyMs, undefined);
  });

  test('a slow server left alone becomes cheap enough to be tried again', () => {
    const { clock, lease, answered, pickUrl } = setup();
    answered('http://fast', 50);
    answered('http://new', 50);
    answered('http://slow', 250);
    for (const url of ['http://fast', 'http://fast', 'http://new', 'http://new']) lease(url);
    assert.notEqual(pickUrl(), 'http://slow');

    clock.now += 10_000;
    answered('http://fast', 50);
    answered('http://new', 50);
    assert.equal(pickUrl(), 'http://slow');
  });
});

describe('slow start', () => {
  function setup(slowStartMs: number) {
    const clock = { now: 1_000_000 };
    const balancer = new Balancer({
      servers: ['http://a'],
      policy: new LeastBusyPolicy({ choices: Number.POSITIVE_INFINITY }),
      downBackoffMs: 1000,
      maxDownBackoffMs: 30_000,
      slowStartMs,
      allow: () => true,
      now: () => clock.now,
    });
    const cost = (url: string) => balancer.servers().find((server) => server.url === url)?.cost;
    return { balancer, clock, cost };
  }
  const both = statusSnapshot([{ url: 'http://a' }, { url: 'http://b' }]);

  test('a server that joins looks ten times dearer at first, then less and less, then as it is', () => {
    const { balancer, clock, cost } = setup(10_000);
    balancer.applyStatus(both);
    assert.deepEqual([cost('http://a'), cost('http://b')], [1, 10]);
    clock.now += 5_000;
    assert.equal(cost('http://b'), 2);
    clock.now += 5_000;
    assert.equal(cost('http://b'), 1);
  });

  test('a server the status brings back up warms up again; servers there from the start do not', () => {
    const { balancer, clock, cost } = setup(10_000);
    balancer.applyStatus(both);
    clock.now += 20_000;
    balancer.applyStatus(statusSnapshot([{ url: 'http://a', state: 'down' }, { url: 'http://b' }]));
    balancer.applyStatus(both);
    assert.deepEqual([cost('http://a'), cost('http://b')], [10, 1]);
  });

  test('without a window (0), a new server costs what it costs', () => {
    const { balancer, cost } = setup(0);
    balancer.applyStatus(both);
    assert.equal(cost('http://b'), 1);
  });
});
