import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Balancer } from '../../src/balancer/balancer.js';
import type { ServerDownEvent, ServerUpEvent } from '../../src/balancer/events.js';
import type { ServerState } from '../../src/balancer/server.js';
import { firstEligible } from './helpers.js';

interface Fixture {
  readonly balancer: Balancer;
  readonly clock: { now: number; random: number };
  readonly server: (url: string) => ServerState;
}

function setup(servers = ['http://a', 'http://b', 'http://c']): Fixture {
  const clock = { now: 1_000_000, random: 0.5 };
  const balancer = new Balancer({
    servers,
    policy: firstEligible,
    downBackoffMs: 1000,
    maxDownBackoffMs: 30_000,
    now: () => clock.now,
    random: () => clock.random,
  });
  // pick() hands out the balancer's own ServerState objects; collect them by url.
  const states = new Map<string, ServerState>();
  const exclude = new Set<ServerState>();
  for (let next = balancer.pick(exclude); next; next = balancer.pick(exclude)) {
    states.set(next.url, next);
    exclude.add(next);
  }
  const server = (url: string): ServerState => {
    const state = states.get(url);
    assert.ok(state, `no server ${url}`);
    return state;
  };
  return { balancer, clock, server };
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

  test('pick skips the servers in the exclude set', () => {
    const { balancer, server } = setup();
    assert.equal(balancer.pick(new Set([server('http://a')]))?.url, 'http://b');
    assert.equal(balancer.pick(new Set([server('http://a'), server('http://b')]))?.url, 'http://c');
    assert.equal(
      balancer.pick(new Set([server('http://a'), server('http://b'), server('http://c')])),
      undefined,
    );
  });

  test('reportFailure marks the server down for downBackoffMs (random 0.5 means no jitter)', () => {
    const { balancer, clock, server } = setup();
    const events = downEvents(balancer);
    balancer.reportFailure(server('http://a'), 'unreachable');

    assert.deepEqual(events, [
      {
        server: 'http://a',
        source: 'client',
        failure: 'unreachable',
        until: clock.now + 1000,
        consecutiveFailures: 1,
      },
    ]);
    assert.equal(balancer.pick(new Set())?.url, 'http://b');
    const [a] = balancer.servers();
    assert.equal(a?.state, 'down');
    assert.equal(a?.downUntil, clock.now + 1000);
    assert.equal(a?.consecutiveFailures, 1);
    assert.equal(a?.failed, 1);
  });

  test('the backoff doubles with each consecutive failure and is capped at maxDownBackoffMs', () => {
    const { balancer, clock, server } = setup();
    const events = downEvents(balancer);
    const backoffs: number[] = [];
    for (let i = 0; i < 8; i++) {
      // Tried again once its backoff is over, and failing again.
      balancer.reportFailure(server('http://a'), 'timeout');
      backoffs.push((events.at(-1)?.until ?? 0) - clock.now);
      clock.now = events.at(-1)?.until ?? 0;
    }

    assert.deepEqual(backoffs, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    assert.deepEqual(
      events.map((event) => event.consecutiveFailures),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
  });

  test('stays capped after very many consecutive failures', () => {
    const { balancer, clock, server } = setup();
    for (let i = 0; i < 100; i++) {
      balancer.reportFailure(server('http://a'), 'reset');
      clock.now = balancer.servers()[0]?.downUntil ?? 0;
    }
    assert.equal(balancer.servers()[0]?.consecutiveFailures, 100);
    const start = clock.now;
    balancer.reportFailure(server('http://a'), 'reset');
    assert.equal(balancer.servers()[0]?.downUntil, start + 30_000);
  });

  test('failures of calls that were in flight on a server already down count as the same outage', () => {
    const { balancer, clock, server } = setup();
    const events = downEvents(balancer);
    balancer.reportFailure(server('http://a'), 'reset');
    balancer.reportFailure(server('http://a'), 'reset');
    balancer.reportFailure(server('http://a'), 'reset');

    assert.equal(events.length, 1);
    assert.equal(balancer.servers()[0]?.consecutiveFailures, 1);
    assert.equal(balancer.servers()[0]?.failed, 3);
    assert.equal(balancer.servers()[0]?.downUntil, clock.now + 1000);
  });

  test('jitter scales the backoff by a factor from 0.8 (random 0) to 1.2 (random near 1)', () => {
    const { balancer, clock, server } = setup();
    const events = downEvents(balancer);
    clock.random = 0;
    balancer.reportFailure(server('http://a'), 'unreachable');
    clock.random = 0.999_999;
    balancer.reportFailure(server('http://b'), 'unreachable');
    clock.random = 0.25;
    balancer.reportFailure(server('http://c'), 'unreachable');

    assert.deepEqual(
      events.map((event) => event.until - clock.now),
      [800, 1200, 900],
    );
  });

  test('a down server becomes eligible again once the clock passes downUntil', () => {
    const { balancer, clock, server } = setup(['http://a']);
    balancer.reportFailure(server('http://a'), 'unreachable');
    const until = clock.now + 1000;

    clock.now = until - 1;
    assert.equal(balancer.pick(new Set()), undefined);
    assert.equal(balancer.servers()[0]?.state, 'down');

    clock.now = until;
    assert.equal(balancer.pick(new Set())?.url, 'http://a');
    assert.deepEqual(balancer.servers()[0], {
      url: 'http://a',
      inFlight: 0,
      cost: 1,
      latencyMs: undefined,
      state: 'up',
      monitor: undefined,
      downUntil: 0,
      consecutiveFailures: 1,
      served: 0,
      failed: 1,
    });
  });

  test('reportSuccess after failures resets the backoff and emits serverUp exactly once', () => {
    const { balancer, clock, server } = setup();
    const ups: ServerUpEvent[] = [];
    balancer.on('serverUp', (event) => ups.push(event));
    const events = downEvents(balancer);
    const a = server('http://a');

    balancer.reportFailure(a, 'unreachable');
    balancer.reportFailure(a, 'unreachable');
    balancer.reportSuccess(a, 10);
    balancer.reportSuccess(a, 10);

    assert.deepEqual(ups, [{ server: 'http://a', source: 'client' }]);
    assert.equal(balancer.pick(new Set())?.url, 'http://a');
    const info = balancer.servers()[0];
    assert.equal(info?.state, 'up');
    assert.equal(info?.consecutiveFailures, 0);
    assert.equal(info?.served, 2);
    assert.equal(info?.failed, 2);

    // The next failure starts from the base backoff again.
    balancer.reportFailure(a, 'unreachable');
    assert.equal(events.at(-1)?.until, clock.now + 1000);
    assert.equal(events.at(-1)?.consecutiveFailures, 1);
  });

  test('reportSuccess on a healthy server emits no serverUp', () => {
    const { balancer, server } = setup();
    let ups = 0;
    balancer.on('serverUp', () => ups++);
    balancer.reportSuccess(server('http://b'), 10);
    assert.equal(ups, 0);
    assert.equal(balancer.servers()[1]?.served, 1);
  });

  test('acquire and release count calls in flight, never below 0', () => {
    const { balancer, server } = setup();
    const b = server('http://b');
    balancer.acquire(b);
    balancer.acquire(b);
    assert.equal(balancer.servers()[1]?.inFlight, 2);
    balancer.release(b);
    assert.equal(b.inFlight, 1);
    balancer.release(b);
    balancer.release(b);
    assert.equal(b.inFlight, 0);
    assert.deepEqual(
      balancer.servers().map((info) => info.inFlight),
      [0, 0, 0],
    );
  });

  test('servers() is a snapshot showing each server up or down', () => {
    const { balancer, clock, server } = setup();
    balancer.reportFailure(server('http://b'), 'reset');
    const snapshot = balancer.servers();
    balancer.acquire(server('http://a'));

    assert.deepEqual(
      snapshot.map((info) => [info.url, info.state, info.downUntil]),
      [
        ['http://a', 'up', 0],
        ['http://b', 'down', clock.now + 1000],
        ['http://c', 'up', 0],
      ],
    );
    assert.equal(snapshot[0]?.inFlight, 0);
  });
});
