import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LeastBusyPolicy } from '../../src/balancer/policies/least-busy.js';
import type { ServerView } from '../../src/balancer/policy.js';
import { viewOf } from './helpers.js';

function servers(...inFlight: number[]): ServerView[] {
  return inFlight.map((count, index) => ({ url: `http://s${index}`, inFlight: count, cost: count }));
}

const all = (): boolean => true;

/** How often each server is picked in `rounds` picks, by url. */
function distribution(
  policy: LeastBusyPolicy,
  pool: readonly ServerView[],
  rounds: number,
  isEligible: (server: ServerView) => boolean = all,
): Map<string, number> {
  const counts = new Map<string, number>(pool.map((server) => [server.url, 0]));
  for (let i = 0; i < rounds; i++) {
    const picked = policy.pick(viewOf(pool, isEligible));
    assert.ok(picked);
    counts.set(picked.url, (counts.get(picked.url) ?? 0) + 1);
  }
  return counts;
}

describe('LeastBusyPolicy', () => {
  test('is named least-busy', () => {
    assert.equal(new LeastBusyPolicy().name, 'least-busy');
  });

  test('with choices: Infinity, picks the least busy server, whatever the random value', () => {
    const pool = servers(4, 2, 7, 1, 3);
    for (const start of [0, 0.2, 0.4, 0.6, 0.8, 0.99]) {
      const policy = new LeastBusyPolicy({ choices: Number.POSITIVE_INFINITY, random: () => start });
      assert.equal(policy.pick(viewOf(pool, all))?.url, 'http://s3');
    }
  });

  test('by default compares two sampled servers: the busiest is never picked, the idlest most often', () => {
    const rounds = 50_000;
    const counts = distribution(new LeastBusyPolicy(), servers(0, 1, 2, 3, 4), rounds);
    // Two distinct servers out of 5 sampled uniformly; the one ranked r wins when paired with any worse one.
    const expected = [8 / 20, 6 / 20, 4 / 20, 2 / 20, 0];
    expected.forEach((share, index) => {
      const actual = (counts.get(`http://s${index}`) ?? 0) / rounds;
      assert.ok(Math.abs(actual - share) < 0.015, `s${index}: ${actual.toFixed(3)}, expected ${share}`);
    });
  });

  test('samples only eligible servers, and scans exactly when few are eligible', () => {
    const pool = servers(...Array.from({ length: 100 }, (_, i) => i));
    const onlyLast = (server: ServerView): boolean => server.url === 'http://s99';
    assert.equal(new LeastBusyPolicy().pick(viewOf(pool, onlyLast))?.url, 'http://s99');
    const twoBusy = (server: ServerView): boolean =>
      server.url === 'http://s98' || server.url === 'http://s99';
    const counts = distribution(new LeastBusyPolicy(), pool, 200, twoBusy);
    assert.equal(counts.get('http://s98'), 200);
  });

  test('rejects choices that are not a positive integer or Infinity', () => {
    for (const choices of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => new LeastBusyPolicy({ choices }), { name: 'RangeError', message: /`choices`/ });
    }
  });

  test('skips ineligible servers even when they are the least busy', () => {
    const pool = servers(0, 5, 2);
    const policy = new LeastBusyPolicy({ random: () => 0 });
    assert.equal(policy.pick(viewOf(pool, (server) => server.url !== 'http://s0'))?.url, 'http://s2');
  });

  test('returns undefined for an empty list', () => {
    assert.equal(new LeastBusyPolicy().pick(viewOf([], all)), undefined);
  });

  test('returns undefined when no server is eligible', () => {
    assert.equal(new LeastBusyPolicy().pick(viewOf(servers(0, 1, 2), () => false)), undefined);
  });

  test('only ever returns an eligible server', () => {
    const pool = servers(3, 0, 0, 1);
    const eligible = (server: ServerView): boolean =>
      server.url === 'http://s0' || server.url === 'http://s3';
    const counts = distribution(new LeastBusyPolicy(), pool, 2000, eligible);
    assert.equal(counts.get('http://s3'), 2000);
  });

  test('with an injected random source, different random values break a full tie differently', () => {
    const pool = servers(0, 0, 0);
    const picked = [0, 1 / 3, 2 / 3].map((value) =>
      new LeastBusyPolicy({ random: () => value }).pick(viewOf(pool, all)),
    );
    assert.deepEqual(
      picked.map((server) => server?.url),
      ['http://s2', 'http://s1', 'http://s0'],
    );
  });

  test('a tie between all 3 servers goes to each about equally often (30,000 picks)', () => {
    const rounds = 30_000;
    const counts = distribution(new LeastBusyPolicy(), servers(2, 2, 2), rounds);
    for (const [url, count] of counts) {
      const share = count / rounds;
      assert.ok(Math.abs(share - 1 / 3) < 0.03, `${url} got ${(share * 100).toFixed(1)}% of the picks`);
    }
  });

  test('a tie between 2 of 3 servers never picks the busier third', () => {
    const counts = distribution(new LeastBusyPolicy(), servers(0, 0, 1), 5000);
    assert.equal(counts.get('http://s2'), 0);
    assert.equal((counts.get('http://s0') ?? 0) + (counts.get('http://s1') ?? 0), 5000);
  });

  test('a tie between 2 of 3 servers goes to each of the 2 about equally often', () => {
    const rounds = 30_000;
    const counts = distribution(new LeastBusyPolicy(), servers(0, 0, 1), rounds);
    for (const url of ['http://s0', 'http://s1']) {
      const share = (counts.get(url) ?? 0) / rounds;
      assert.ok(Math.abs(share - 1 / 2) < 0.03, `${url} got ${(share * 100).toFixed(1)}% of the picks`);
    }
  });

  test('a tie among the eligible servers goes to each about equally often when one server is ineligible', () => {
    const rounds = 30_000;
    const eligible = (server: ServerView): boolean => server.url !== 'http://s2';
    const counts = distribution(new LeastBusyPolicy(), servers(0, 0, 0), rounds, eligible);
    for (const url of ['http://s0', 'http://s1']) {
      const share = (counts.get(url) ?? 0) / rounds;
      assert.ok(Math.abs(share - 1 / 2) < 0.03, `${url} got ${(share * 100).toFixed(1)}% of the picks`);
    }
  });
});
