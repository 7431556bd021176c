import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RoundHistory } from '../../src/monitor/history.js';
import type { ServerStatus } from '../../src/status/schema.js';

const status = (id: string, fields: Partial<ServerStatus> = {}): ServerStatus => ({
  id,
  url: `http://${id}:1`,
  state: 'up',
  load: 0.25,
  loadSource: 'report',
  capacity: 4,
  inFlight: 1,
  queued: 0,
  served: 0,
  eventLoopDelayMs: 0,
  latencyMs: 2,
  lastCheckedAt: null,
  ...fields,
});

test('keeps the last rounds of each server, oldest first, and no more than asked', () => {
  const history = new RoundHistory(3);
  for (let round = 1; round <= 5; round++) history.record([status('a', { load: round / 10 })], round * 1000);
  const [a] = history.read();
  assert.deepEqual(a?.at, [3000, 4000, 5000]);
  assert.deepEqual(a?.load, [0.3, 0.4, 0.5]);
});

test('counts the calls finished between rounds from the served counter, unknown without a report or after a restart', () => {
  const history = new RoundHistory(10);
  const rounds: Partial<ServerStatus>[] = [
    { served: 10 },
    { served: 25 },
    { state: 'down', served: 25 },
    { served: 30 },
    { served: 2 }, // the replica restarted: its counter went back
    { served: null, inFlight: null, loadSource: 'latency' },
  ];
  for (const [index, fields] of rounds.entries()) history.record([status('a', fields)], index);
  const [a] = history.read();
  assert.deepEqual(a?.calls, [null, 15, null, 5, null, null]);
  assert.deepEqual(a?.state, ['up', 'up', 'down', 'up', 'up', 'up']);
  assert.deepEqual(a?.inFlight, [1, 1, 1, 1, 1, null]);
});

test('a removed server takes its rounds with it; historyRounds 0 keeps nothing', () => {
  const history = new RoundHistory(5);
  history.record([status('a'), status('b')], 1);
  history.record([status('b')], 2);
  assert.deepEqual(
    history.read().map((server) => [server.id, server.at]),
    [['b', [1, 2]]],
  );
  const none = new RoundHistory(0);
  none.record([status('a')], 1);
  assert.deepEqual(none.read(), []);
});
