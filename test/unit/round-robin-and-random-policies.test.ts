import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RandomPolicy } from '../../src/balancer/policies/random.js';
import { RoundRobinPolicy } from '../../src/balancer/policies/round-robin.js';
import type { ServerView } from '../../src/balancer/policy.js';
import { viewOf } from './helpers.js';

const pool = (count: number): ServerView[] =>
  Array.from({ length: count }, (_, index) => ({ url: `http://s${index}`, inFlight: 0, cost: 0 }));
const all = (): boolean => true;

describe('RoundRobinPolicy', () => {
  test('visits every server in turn, from a random start', () => {
    const servers = pool(4);
    const policy = new RoundRobinPolicy({ random: () => 0.5 });
    const picked = Array.from({ length: 8 }, () => policy.pick(viewOf(servers, all))?.url);
    const start = Number(picked[0]?.slice(-1));
    assert.deepEqual(
      picked,
      Array.from({ length: 8 }, (_, i) => `http://s${(start + i) % 4}`),
    );
  });

  test('different clients start at different positions', () => {
    const servers = pool(4);
    const firsts = new Set(
      [0, 0.3, 0.6, 0.9].map(
        (r) => new RoundRobinPolicy({ random: () => r }).pick(viewOf(servers, all))?.url,
      ),
    );
    assert.ok(firsts.size > 1);
  });

  test('skips ineligible servers and keeps its position when the pool grows', () => {
    const policy = new RoundRobinPolicy({ random: () => 0 });
    const notS1 = (server: ServerView): boolean => server.url !== 'http://s1';
    assert.deepEqual(
      [
        policy.pick(viewOf(pool(3), notS1))?.url,
        policy.pick(viewOf(pool(3), notS1))?.url,
        policy.pick(viewOf(pool(3), notS1))?.url,
      ],
      ['http://s0', 'http://s2', 'http://s0'],
    );
    assert.equal(
      policy.pick(viewOf(pool(5), all))?.url,
      'http://s1',
      'continues after s0 in the bigger pool',
    );
  });

  test('keeps its position by identity when a server leaves: no one’s turn is skipped', () => {
    const policy = new RoundRobinPolicy({ random: () => 0 });
    const four = pool(4);
    assert.deepEqual(
      [policy.pick(viewOf(four))?.url, policy.pick(viewOf(four))?.url],
      ['http://s0', 'http://s1'],
    );
    // s0 leaves: the list closes up, and s2 (the server after s1) is next, not s3.
    const withoutS0 = four.filter((server) => server.url !== 'http://s0');
    assert.equal(policy.pick(viewOf(withoutS0))?.url, 'http://s2');
    // The server picked last (s2) leaves: its successor s3 takes the turn.
    const withoutS2 = withoutS0.filter((server) => server.url !== 'http://s2');
    assert.deepEqual(
      [policy.pick(viewOf(withoutS2))?.url, policy.pick(viewOf(withoutS2))?.url],
      ['http://s3', 'http://s1'],
    );
  });

  test('returns undefined when nothing is eligible', () => {
    assert.equal(new RoundRobinPolicy().pick(viewOf(pool(3), () => false)), undefined);
    assert.equal(new RoundRobinPolicy().pick(viewOf([], all)), undefined);
  });
});

describe('RandomPolicy', () => {
  test('picks each eligible server about equally often', () => {
    const servers = pool(4);
    const policy = new RandomPolicy();
    const notS3 = (server: ServerView): boolean => server.url !== 'http://s3';
    const counts = new Map<string, number>();
    for (let i = 0; i < 30_000; i++) {
      const url = policy.pick(viewOf(servers, notS3))?.url ?? 'none';
      counts.set(url, (counts.get(url) ?? 0) + 1);
    }
    assert.equal(counts.get('http://s3'), undefined);
    for (const url of ['http://s0', 'http://s1', 'http://s2']) {
      const share = (counts.get(url) ?? 0) / 30_000;
      assert.ok(Math.abs(share - 1 / 3) < 0.02, `${url}: ${share}`);
    }
  });

  test('finds the one eligible server among many ineligible ones', () => {
    const servers = pool(1000);
    const only = (server: ServerView): boolean => server.url === 'http://s777';
    assert.equal(new RandomPolicy().pick(viewOf(servers, only))?.url, 'http://s777');
    assert.equal(new RandomPolicy().pick(viewOf(servers, () => false)), undefined);
  });
});
