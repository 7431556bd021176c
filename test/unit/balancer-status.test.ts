import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Balancer } from '../../src/balancer/balancer.js';
import type { ServerState } from '../../src/balancer/server.js';
import { statusSnapshot as snapshot } from '../helpers/status-snapshot.js';
import { firstEligible } from './helpers.js';

function setup(servers: string[] = []) {
  const clock = { now: 1_000_000 };
  const balancer = new Balancer({
    servers,
    policy: firstEligible,
    downBackoffMs: 1000,
    maxDownBackoffMs: 30_000,
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
    const exclude = new Set<ServerState>();
    for (let server = balancer.pick(exclude); server; server = balancer.pick(exclude)) {
      picked.push(server.url);
      exclude.add(server);
    }
    return picked;
  };
  return { balancer, clock, events, eligible };
}

describe('Balancer with monitor status', () => {
  test('the monitor adds servers to the pool and removes those it no longer lists', () => {
    const { balancer, events } = setup();
    balancer.applyStatus(snapshot([{ url: 'http://a' }, { url: 'http://b' }]));
    balancer.applyStatus(snapshot([{ url: 'http://b' }, { url: 'http://c' }]));

    assert.deepEqual(balancer.urls, ['http://b', 'http://c']);
    assert.deepEqual(events, ['added http://a', 'added http://b', 'added http://c', 'removed http://a']);
  });

  test('servers given in the options stay when the monitor does not list them, without its word', () => {
    const { balancer, eligible } = setup(['http://a']);
    balancer.applyStatus(snapshot([{ url: 'http://a', state: 'down' }, { url: 'http://b' }]));
    assert.deepEqual(eligible(), ['http://b']);

    balancer.applyStatus(snapshot([{ url: 'http://b' }]));
    assert.deepEqual(balancer.urls, ['http://b', 'http://a']);
    assert.deepEqual(eligible(), ['http://b', 'http://a']);
  });

  test('matches the monitor’s URLs to the pool’s in normalized form', () => {
    const { balancer } = setup(['http://h:8080']);
    balancer.applyStatus(snapshot([{ url: 'http://H:8080/', load: 3 }]));
    assert.deepEqual(balancer.urls, ['http://h:8080']);
    assert.equal(balancer.servers()[0]?.monitor?.load, 3);
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
      'down http://a monitor',
      'down http://b monitor',
      'up http://a monitor',
      'up http://b monitor',
    ]);
  });

  test('occupancy is the monitor’s load plus this client’s calls started since, per slot (cost = occupancy + 1 before any latency sample)', () => {
    const { balancer } = setup();
    balancer.applyStatus(snapshot([{ url: 'http://a', load: 0.5, capacity: 4 }]));
    const [a] = balancer.servers();
    assert.equal(a?.cost, 1.5);
    const server = balancer.pick(new Set()) as ServerState;
    balancer.acquire(server);
    balancer.acquire(server);
    assert.equal(balancer.servers()[0]?.cost, 2);

    balancer.applyStatus(snapshot([{ url: 'http://a', load: 0.75, capacity: 4 }]));
    assert.equal(balancer.servers()[0]?.cost, 1.75, 'the new load already counts the calls in flight');
    balancer.release(server);
    balancer.release(server);
    assert.equal(balancer.servers()[0]?.cost, 1.25);
  });

  test('occupancy never goes below zero', () => {
    const { balancer } = setup();
    const server = () => balancer.pick(new Set()) as ServerState;
    balancer.applyStatus(snapshot([{ url: 'http://a', load: 0 }]));
    balancer.acquire(server());
    balancer.applyStatus(snapshot([{ url: 'http://a', load: 0 }]));
    balancer.release(server());
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
    balancer.forgetStatus();

    assert.deepEqual(eligible(), ['http://a', 'http://b']);
    assert.deepEqual(
      balancer.servers().map((server) => [server.cost, server.monitor]),
      [
        [1, undefined],
        [1, undefined],
      ],
    );
  });

  test('this client’s own failure evidence wins over a monitor that says up', () => {
    const { balancer, clock, eligible } = setup();
    balancer.applyStatus(snapshot([{ url: 'http://a' }, { url: 'http://b' }]));
    balancer.reportFailure(balancer.pick(new Set()) as ServerState, 'unreachable');
    balancer.applyStatus(snapshot([{ url: 'http://a' }, { url: 'http://b' }]));
    assert.deepEqual(eligible(), ['http://b']);
    assert.equal(balancer.servers()[0]?.state, 'down');

    clock.now += 1000;
    assert.deepEqual(eligible(), ['http://a', 'http://b']);
  });
});
