import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Balancer, type PickRequest } from '../../src/balancer/balancer.js';
import type { FailoverEvent, ServerDownEvent, ServerUpEvent } from '../../src/balancer/events.js';
import type { Lease } from '../../src/balancer/lease.js';
import type { SelectionPolicy, ServerView } from '../../src/balancer/policy.js';
import { firstEligible } from './helpers.js';

function setup(servers = ['http://a', 'http://b', 'http://c'], policy: SelectionPolicy = firstEligible) {
  const clock = { now: 1_000_000, random: 0.5 };
  const balancer = new Balancer({
    servers,
    policy,
    downBackoffMs: 1000,
    maxDownBackoffMs: 30_000,
    now: () => clock.now,
    random: () => clock.random,
  });
  /** Leases the server with this URL (every other one excluded), as an attempt would. */
  const lease = (url: string): Lease => {
    const picked = balancer.pick({
      operation: 'Op',
      exclude: new Set(balancer.urls.filter((other) => other !== url)),
    });
    assert.equal(picked.type, 'picked', `${url} is not eligible`);
    return (picked as { lease: Lease }).lease;
  };
  const pickUrl = (request: Partial<PickRequest> = {}): string | undefined => {
    const picked = balancer.pick({ operation: 'Op', ...request });
    if (picked.type !== 'picked') return undefined;
    picked.lease.release();
    return picked.lease.url;
  };
  return { balancer, clock, lease, pickUrl };
}

type ClientDownEvent = Extract<ServerDownEvent, { source: 'client' }>;

function downEvents(balancer: Balancer): ClientDownEvent[] {
  const events: ClientDownEvent[] = [];
  balancer.on('serverDown', (event) => {
    if (event.source === 'client') events.push(event);
  });
  return events;
}

describe('Balancer', () => {
  test('exposes the server urls and the policy name', () => {
    const { balancer } = setup();
    assert.deepEqual(balancer.urls, ['http://a', 'http://b', 'http://c']);
    assert.equal(balancer.policyName, 'first');
  });

  test('pick leases a server: in flight until released, and release is idempotent', () => {
    const { balancer, lease } = setup();
    const first = lease('http://b');
    const second = lease('http://b');
    assert.deepEqual(
      balancer.servers().map((info) => info.inFlight),
      [0, 2, 0],
    );
    first.release();
    first.release();
    assert.equal(balancer.servers()[1]?.inFlight, 1);
    second.succeeded(5);
    assert.equal(
      balancer.servers()[1]?.inFlight,
      1,
      'an answer does not end the lease: its body may be read',
    );
    second.release();
    assert.equal(balancer.servers()[1]?.inFlight, 0);
    assert.equal(balancer.servers()[1]?.served, 1);
  });

  test('pick skips the servers the call already tried, and says when none is left', () => {
    const { pickUrl } = setup();
    assert.equal(pickUrl({ exclude: new Set(['http://a']) }), 'http://b');
    assert.equal(pickUrl({ exclude: new Set(['http://a', 'http://b']) }), 'http://c');
    assert.equal(pickUrl({ exclude: new Set(['http://a', 'http://b', 'http://c']) }), undefined);
  });

  test('a pick that moves a call on emits failover; a first pick does not', () => {
    const { balancer, pickUrl } = setup();
    const failovers: FailoverEvent[] = [];
    balancer.on('failover', (event) => failovers.push(event));
    pickUrl();
    pickUrl({
      exclude: new Set(['http://a']),
      previous: { server: 'http://a', failure: 'unreachable' },
      attempt: 2,
    });
    assert.deepEqual(failovers, [
      { operation: 'Op', from: 'http://a', to: 'http://b', failure: 'unreachable', attempt: 2 },
    ]);
  });

  test('a failed lease marks the server down for downBackoffMs (random 0.5 means no jitter) and ends', () => {
    const { balancer, clock, lease, pickUrl } = setup();
    const events = downEvents(balancer);
    const attempt = lease('http://a');
    attempt.failed('unreachable');
    attempt.failed('unreachable');

    assert.deepEqual(events, [
      {
        server: 'http://a',
        source: 'client',
        failure: 'unreachable',
        until: clock.now + 1000,
        consecutiveFailures: 1,
      },
    ]);
    assert.equal(pickUrl(), 'http://b');
    const [a] = balancer.servers();
    assert.equal(a?.state, 'down');
    assert.equal(a?.inFlight, 0);
    assert.equal(a?.failed, 1, 'a lease fails once');
  });

  test('the backoff doubles with each consecutive failure and is capped at maxDownBackoffMs', () => {
    const { balancer, clock, lease } = setup();
    const events = downEvents(balancer);
    const backoffs: number[] = [];
    for (let i = 0; i < 8; i++) {
      // Tried again once its backoff is over, and failing again.
      lease('http://a').failed('timeout');
      backoffs.push((events.at(-1)?.until ?? 0) - clock.now);
      clock.now = events.at(-1)?.until ?? 0;
    }

    assert.deepEqual(backoffs, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    assert.deepEqual(
      events.map((event) => event.consecutiveFailures),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
  });

  test('failures of calls that were in flight on a server already down count as the same outage', () => {
    const { balancer, clock, lease } = setup();
    const events = downEvents(balancer);
    const inFlight = [lease('http://a'), lease('http://a'), lease('http://a')];
    for (const attempt of inFlight) attempt.failed('reset');

    assert.equal(events.length, 1);
    assert.equal(balancer.servers()[0]?.consecutiveFailures, 1);
    assert.equal(balancer.servers()[0]?.failed, 3);
    assert.equal(balancer.servers()[0]?.downUntil, clock.now + 1000);
  });

  test('jitter scales the backoff by a factor from 0.8 (random 0) to 1.2 (random near 1)', () => {
    const { balancer, clock, lease } = setup();
    const events = downEvents(balancer);
    clock.random = 0;
    lease('http://a').failed('unreachable');
    clock.random = 0.999_999;
    lease('http://b').failed('unreachable');
    clock.random = 0.25;
    lease('http://c').failed('unreachable');

    assert.deepEqual(
      events.map((event) => event.until - clock.now),
      [800, 1200, 900],
    );
  });

  test('a Retry-After is honoured instead of the backoff, capped at maxDownBackoffMs', () => {
    const { balancer, clock, lease, pickUrl } = setup();
    const events = downEvents(balancer);
    lease('http://a').failed('rejected', 5_000);
    lease('http://b').failed('rejected', 3_600_000);

    assert.deepEqual(
      events.map((event) => [event.server, event.until - clock.now, event.retryAfterMs]),
      [
        ['http://a', 5_000, 5_000],
        ['http://b', 30_000, 3_600_000],
      ],
    );
    clock.now += 4_999;
    assert.equal(pickUrl(), 'http://c');
    clock.now += 1;
    assert.equal(pickUrl(), 'http://a');
  });

  test('a down server becomes eligible again once the clock passes downUntil', () => {
    const { balancer, clock, lease, pickUrl } = setup(['http://a']);
    lease('http://a').failed('unreachable');
    const until = clock.now + 1000;

    clock.now = until - 1;
    assert.equal(pickUrl(), undefined);
    assert.equal(balancer.servers()[0]?.state, 'down');

    clock.now = until;
    assert.equal(pickUrl(), 'http://a');
    assert.deepEqual(balancer.servers()[0], {
      url: 'http://a',
      inFlight: 0,
      cost: 1,
      latencyMs: undefined,
      load: undefined,
      state: 'up',
      status: undefined,
      downUntil: 0,
      consecutiveFailures: 1,
      served: 0,
      failed: 1,
    });
  });

  test('success after failures resets the backoff and emits serverUp exactly once', () => {
    const { balancer, clock, lease } = setup();
    const ups: ServerUpEvent[] = [];
    balancer.on('serverUp', (event) => ups.push(event));
    const events = downEvents(balancer);

    lease('http://a').failed('unreachable');
    clock.now += 1000;
    lease('http://a').failed('unreachable');
    clock.now += 2000;
    const answered = lease('http://a');
    answered.succeeded(10);
    answered.release();
    const again = lease('http://a');
    again.succeeded(10);
    again.release();

    assert.deepEqual(ups, [{ server: 'http://a', source: 'client' }]);
    const info = balancer.servers()[0];
    assert.equal(info?.state, 'up');
    assert.equal(info?.consecutiveFailures, 0);
    assert.equal(info?.served, 2);
    assert.equal(info?.failed, 2);

    // The next failure starts from the base backoff again.
    lease('http://a').failed('unreachable');
    assert.equal(events.at(-1)?.until, clock.now + 1000);
    assert.equal(events.at(-1)?.consecutiveFailures, 1);
  });

  test('servers() is a snapshot showing each server up or down', () => {
    const { balancer, clock, lease } = setup();
    lease('http://b').failed('reset');
    const snapshot = balancer.servers();
    lease('http://a');

    assert.deepEqual(
      snapshot.map((info) => [info.url, info.state, info.downUntil, info.inFlight]),
      [
        ['http://a', 'up', 0, 0],
        ['http://b', 'down', clock.now + 1000, 0],
        ['http://c', 'up', 0, 0],
      ],
    );
  });

  test('policies see read-only views with the cost computed, not the servers’ state', () => {
    let seen: readonly ServerView[] = [];
    let during: unknown[] = [];
    const spy: SelectionPolicy = {
      name: 'spy',
      pick: (view) => {
        seen = view.servers;
        during = view.servers.map((server) => [server.url, server.inFlight, server.cost]);
        return view.servers.find((server) => view.isEligible(server));
      },
    };
    const { balancer } = setup(['http://a', 'http://b'], spy);
    balancer.pick({ operation: 'Op' });

    assert.deepEqual(during, [
      ['http://a', 0, 1],
      ['http://b', 0, 1],
    ]);
    const [a] = seen;
    assert.throws(() => {
      (a as { inFlight: number }).inFlight = 5;
    }, TypeError);
    assert.equal(
      Object.keys(a as object).length + Object.getOwnPropertySymbols(a).length,
      0,
      'nothing of the state is reachable from the view',
    );
  });

  test('a policy that returns a server that is not eligible is refused with a TypeError', () => {
    const rogue: SelectionPolicy = { name: 'rogue', pick: (view) => view.servers[0] };
    const { balancer } = setup(['http://a', 'http://b'], rogue);
    assert.throws(
      () => balancer.pick({ operation: 'Op', exclude: new Set(['http://a']) }),
      /Policy `rogue` returned a server that was not eligible/,
    );
    const impostor: SelectionPolicy = {
      name: 'impostor',
      pick: () => ({ url: 'http://a', inFlight: 0, cost: 0 }),
    };
    assert.throws(() => setup(['http://a'], impostor).balancer.pick({ operation: 'Op' }), TypeError);
  });
});
