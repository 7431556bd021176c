import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Balancer } from '../../src/balancer/balancer.js';
import type { Lease } from '../../src/balancer/lease.js';
import { ErrorCode, SoapBalancerError } from '../../src/errors.js';
import { statusSnapshot as snapshot } from '../helpers/status-snapshot.js';
import { firstEligible } from './helpers.js';

function setup(servers: string[] = [], allow: (url: string) => boolean = () => true) {
  const clock = { now: 1_000_000 };
  const balancer = new Balancer({
    servers,
    policy: firstEligible,
    downBackoffMs: 1000,
    maxDownBackoffMs: 30_000,
    allow,
    now: () => clock.now,
    random: () => 0.5,
  });
  const events: string[] = [];
  balancer.on('serverAdded', (event) => events.push(`added ${event.server}`));
  balancer.on('serverRemoved', (event) => events.push(`removed ${event.server}`));
  balancer.on('serverDown', (event) => events.push(`down ${event.server} ${event.source}`));
  balancer.on('serverUp', (event) => events.push(`up ${event.server} ${event.source}`));
  const eligible = () => {
    const picked: string[] = [];
    const exclude = new Set<string>();
    for (let next = balancer.pick({ operation: 'Op', exclude }); next.type === 'picked'; ) {
      next.lease.release();
      picked.push(next.lease.url);
      exclude.add(next.lease.url);
      next = balancer.pick({ operation: 'Op', exclude });
    }
    return picked;
  };
  const lease = (): Lease => {
    const picked = balancer.pick({ operation: 'Op' });
    assert.equal(picked.type, 'picked');
    return (picked as { lease: Lease }).lease;
  };
  return { balancer, clock, events, eligible, lease };
}

describe('Balancer with monitor status', () => {
  test('the monitor adds servers to the pool and removes those it no longer lists', () => {
    const { balancer, events } = setup();
    balancer.applyStatus(snapshot([{ url: 'http://a' }, { url: 'http://b' }]));
    balancer.applyStatus(snapshot([{ url: 'http://b' }, { url: 'http://c' }]));

    assert.deepEqual(balancer.urls, ['http://b', 'http://c']);
    assert.deepEqual(events, ['added http://a', 'added http://b', 'removed http://a', 'added http://c']);
  });

  test('servers given in the options stay when the monitor does not list them, without its word', () => {
    const { balancer, eligible } = setup(['http://a']);
    balancer.applyStatus(snapshot([{ url: 'http://a', state: 'down' }, { url: 'http://b' }]));
    assert.deepEqual(eligible(), ['http://b']);

    balancer.applyStatus(snapshot([{ url: 'http://b' }]));
    assert.deepEqual(balancer.urls, ['http://a', 'http://b'], 'servers keep their place in the pool');
    assert.deepEqual(eligible(), ['http://a', 'http://b']);
  });

  test('matches the monitor’s URLs to the pool’s in normalized form', () => {
    const { balancer } = setup(['http://h:8080']);
    balancer.applyStatus(snapshot([{ url: 'http://H:8080/', load: 3 }]));
    assert.deepEqual(balancer.urls, ['http://h:8080']);
    assert.equal(balancer.servers()[0]?.status?.load, 3);
  });

  test('down and draining servers are not picked, and the transitions are events', () => {
    const { balancer, events, eligible } = setup();
    balancer.applyStatus(snapshot([{ url: 'http://a' }, { url: 'http://b' }, { url: 'http://c' }]));
    events.length = 0;
    balancer.applyStatus(
      snapshot([
        { url: 'http://a', state: 'down' },
        { url: 'http://b', state: 'draining' },
        { url: 'http://c' },
      ]),
    );
    assert.deepEqual(eligible(), ['http://c']);
    balancer.applyStatus(snapshot([{ url: 'http://a' }, { url: 'http://b' }, { url: 'http://c' }]));
    assert.deepEqual(eligible(), ['http://a', 'http://b', 'http://c']);

    assert.deepEqual(events, [
      'down http://a status',
      'down http://b status',
      'up http://a status',
      'up http://b status',
    ]);
  });

  test('occupancy is the monitor’s load plus this client’s calls started since, per slot (cost = occupancy + 1 before any latency sample)', () => {
    const { balancer, lease } = setup();
    // 6 requests outstanding over 4 slots: a call there waits.
    balancer.applyStatus(snapshot([{ url: 'http://a', load: 1.5, capacity: 4 }]));
    const [a] = balancer.servers();
    assert.equal(a?.cost, 2.5);
    const calls = [lease(), lease()];
    assert.equal(balancer.servers()[0]?.cost, 3);

    balancer.applyStatus(snapshot([{ url: 'http://a', load: 1.75, capacity: 4 }]));
    assert.equal(balancer.servers()[0]?.cost, 2.75, 'the new load already counts the calls in flight');
    for (const call of calls) call.release();
    assert.equal(balancer.servers()[0]?.cost, 2.25);
  });

  test('a server known to have a slot free counts its occupancy half, until its slots are taken', () => {
    const { balancer, lease } = setup();
    balancer.applyStatus(snapshot([{ url: 'http://a', load: 0.5, capacity: 4 }]));
    assert.equal(balancer.servers()[0]?.cost, 1.25, '2 of 4 slots taken');
    const third = lease();
    assert.equal(balancer.servers()[0]?.cost, 1.375, '3 of 4 slots taken');
    lease();
    assert.equal(balancer.servers()[0]?.cost, 2, 'no slot free: the next call waits');
    third.release();
    assert.equal(balancer.servers()[0]?.cost, 1.375);
    // Without a capacity the server's slots are unknown: every outstanding request counts in full.
    balancer.applyStatus(snapshot([{ url: 'http://a', load: 0.5 }]));
    assert.equal(balancer.servers()[0]?.cost, 1.5);
  });

  test('a load the status derived from probe latency is ignored: only its state counts', () => {
    const { balancer, eligible } = setup();
    balancer.applyStatus(
      snapshot([
        { url: 'http://a', load: 9, loadSource: 'latency' },
        { url: 'http://b', load: 9, loadSource: 'none', state: 'draining' },
      ]),
    );
    assert.deepEqual(
      balancer.servers().map((server) => [server.cost, server.status]),
      [
        [1, { state: 'up', load: 0 }],
        [1, { state: 'draining', load: 0 }],
      ],
    );
    assert.deepEqual(eligible(), ['http://a']);
  });

  test('occupancy never goes below zero', () => {
    const { balancer, lease } = setup();
    balancer.applyStatus(snapshot([{ url: 'http://a', load: 0 }]));
    const call = lease();
    balancer.applyStatus(snapshot([{ url: 'http://a', load: 0 }]));
    call.release();
    assert.equal(balancer.servers()[0]?.cost, 1);
  });

  test('forgetting the status ignores the monitor’s load and states but keeps the pool', () => {
    const { balancer, eligible } = setup();
    balancer.applyStatus(
      snapshot([
        { url: 'http://a', state: 'down', load: 9 },
        { url: 'http://b', load: 2 },
      ]),
    );
    balancer.expireStatus(20_000);

    assert.deepEqual(eligible(), ['http://a', 'http://b']);
    assert.deepEqual(
      balancer.servers().map((server) => [server.cost, server.status]),
      [
        [1, undefined],
        [1, undefined],
      ],
    );
  });

  test('this client’s own failure evidence wins over a monitor that says up', () => {
    const { balancer, clock, eligible, lease } = setup();
    balancer.applyStatus(snapshot([{ url: 'http://a' }, { url: 'http://b' }]));
    lease().failed('unreachable');
    balancer.applyStatus(snapshot([{ url: 'http://a' }, { url: 'http://b' }]));
    assert.deepEqual(eligible(), ['http://b']);
    assert.equal(balancer.servers()[0]?.state, 'down');

    clock.now += 1000;
    assert.deepEqual(eligible(), ['http://a', 'http://b']);
  });

  test('a listed server the allow rule refuses never joins the pool, and is reported once', () => {
    const { balancer, events, eligible } = setup(['http://static'], (url) => url.startsWith('http://ok'));
    const notAllowed: string[] = [];
    const updates: number[] = [];
    balancer.on('serverNotAllowed', (event) => notAllowed.push(event.server));
    balancer.on('statusUpdate', (event) => updates.push(event.notAllowed));
    const listed = snapshot([{ url: 'http://ok1' }, { url: 'http://evil:9' }, { url: 'http://static' }]);
    balancer.applyStatus(listed);
    balancer.applyStatus(listed);

    assert.deepEqual(
      balancer.urls,
      ['http://static', 'http://ok1'],
      'servers given in the options need no rule',
    );
    assert.deepEqual(eligible(), ['http://static', 'http://ok1']);
    assert.deepEqual(notAllowed, ['http://evil:9']);
    assert.deepEqual(updates, [1, 1]);
    assert.deepEqual(events, ['added http://ok1']);
  });

  test('changes one by one (a watch): new servers join if allowed, removed ones leave, static ones stay', () => {
    const { balancer, events } = setup(['http://static'], (url) => url !== 'http://evil');
    const counts: number[] = [];
    balancer.on('statusUpdate', (event) => counts.push(event.notAllowed));
    balancer.applyStatusChanges(
      { upserts: snapshot([{ url: 'http://a' }, { url: 'http://evil' }]).servers, removals: [] },
      't1',
    );
    balancer.applyStatusChanges(
      { upserts: snapshot([{ url: 'http://a', state: 'draining' }]).servers, removals: [] },
      't2',
    );
    balancer.applyStatusChanges(
      { upserts: [], removals: ['http://a/', 'http://static', 'http://evil'] },
      't3',
    );

    assert.deepEqual(balancer.urls, ['http://static']);
    assert.deepEqual(events, ['added http://a', 'down http://a status', 'removed http://a']);
    assert.deepEqual(counts, [1, 1, 0], 'a refused server counts while it is listed');
  });

  test('status events: update, error, recovered after failures, expired', () => {
    const { balancer } = setup();
    const seen: string[] = [];
    balancer.on('statusUpdate', (event) =>
      seen.push(`update ${event.changed} ${event.servers} ${event.generatedAt}`),
    );
    balancer.on('statusError', (event) =>
      seen.push(`error ${event.error.code} ${event.consecutiveFailures}`),
    );
    balancer.on('statusRecovered', (event) => seen.push(`recovered ${event.afterFailures}`));
    balancer.on('statusExpired', (event) => seen.push(`expired ${event.ageMs}`));
    const failure = new SoapBalancerError(ErrorCode.StatusUnavailable, 'down');

    balancer.applyStatus({ ...snapshot([{ url: 'http://a' }]), generatedAt: '2026-01-01T00:00:00.000Z' });
    balancer.statusFailed(failure);
    balancer.statusFailed(failure);
    balancer.expireStatus(10_001);
    balancer.confirmStatus();

    assert.deepEqual(seen, [
      'update true 1 2026-01-01T00:00:00.000Z',
      'error SOAPBAL_STATUS_UNAVAILABLE 1',
      'error SOAPBAL_STATUS_UNAVAILABLE 2',
      'expired 10001',
      'recovered 2',
      'update false 1 2026-01-01T00:00:00.000Z',
    ]);
  });
});
