import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Balancer } from '../../src/balancer/balancer.js';
import { PeakEwma } from '../../src/balancer/latency.js';
import { LeastBusyPolicy } from '../../src/balancer/policies/least-busy.js';
import type { ServerState } from '../../src/balancer/server.js';

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
    const byUrl = (url: string): ServerState => {
      const exclude = new Set<ServerState>();
      for (let server = balancer.pick(exclude); server; server = balancer.pick(exclude)) {
        if (server.url === url) return server;
        exclude.add(server);
      }
      throw new Error(`no ${url}`);
    };
    return { balancer, clock, byUrl };
  }

  test('a server five times slower loses to a fast one that already has two calls in flight', () => {
    const { balancer, byUrl } = setup();
    const fast = byUrl('http://fast');
    const slow = byUrl('http://slow');
    balancer.reportSuccess(fast, 50);
    balancer.reportSuccess(slow, 250);
    balancer.acquire(fast);
    balancer.acquire(fast);
    const costs = balancer.servers().map((server) => server.cost);
    assert.deepEqual(costs.slice(0, 2), [150, 250]);
  });

  test('a server without a sample is assumed to answer like the pool on average', () => {
    const { balancer, byUrl } = setup();
    balancer.reportSuccess(byUrl('http://fast'), 50);
    balancer.reportSuccess(byUrl('http://slow'), 250);
    assert.equal(balancer.servers()[2]?.cost, 150);
    assert.equal(balancer.servers()[2]?.latencyMs, undefined);
  });

  test('a slow server left alone becomes cheap enough to be tried again', () => {
    const { balancer, clock, byUrl } = setup();
    const fast = byUrl('http://fast');
    const slow = byUrl('http://slow');
    const added = byUrl('http://new');
    balancer.reportSuccess(fast, 50);
    balancer.reportSuccess(added, 50);
    balancer.reportSuccess(slow, 250);
    for (const server of [fast, fast, added, added]) balancer.acquire(server);
    assert.notEqual(balancer.pick(new Set())?.url, 'http://slow');

    clock.now += 10_000;
    balancer.reportSuccess(fast, 50);
    balancer.reportSuccess(added, 50);
    assert.equal(balancer.pick(new Set())?.url, 'http://slow');
  });
});
