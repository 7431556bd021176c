import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  InvalidStatusError,
  parseStatusSnapshot,
  type ServerStatus,
  type StatusSnapshot,
} from '../../src/status/schema.js';

const server: ServerStatus = {
  id: 'a',
  url: 'http://a:1',
  state: 'up',
  load: 0.5,
  loadSource: 'report',
  capacity: 4,
  inFlight: 2,
  queued: 0,
  served: 10,
  eventLoopDelayMs: 1.5,
  latencyMs: 3,
  lastCheckedAt: '2024-01-01T00:00:00.000Z',
};
const snapshot: StatusSnapshot = { version: 1, generatedAt: '2024-01-01T00:00:01.000Z', servers: [server] };
const knownServerKeys = Object.keys(server);

/** Parses `json` as the client does: through JSON.parse, which makes `__proto__` an own key. */
const parse = (json: string) => parseStatusSnapshot(JSON.parse(json));

describe('parseStatusSnapshot', () => {
  test('ignores unknown top-level fields: a newer monitor may add some; they are not in the result', () => {
    const result = parse(JSON.stringify({ ...snapshot, region: 'eu-west', monitor: { build: 42 } }));
    assert.deepEqual(result, snapshot);
    assert.deepEqual(Object.keys(result), ['version', 'generatedAt', 'servers']);
  });

  test("ignores a server's unknown fields; they are not in the result", () => {
    const result = parse(
      JSON.stringify({ ...snapshot, servers: [{ ...server, zone: 'b', weight: 3, tags: ['x'] }] }),
    );
    assert.deepEqual(result.servers, [server]);
    assert.deepEqual(Object.keys(result.servers[0]!), knownServerKeys);
  });

  test('`__proto__` and `constructor` keys go nowhere: no prototype is set, nothing is polluted', () => {
    const hostileServer = `{"__proto__": {"polluted": true, "isAdmin": true}, "constructor": {"prototype": {"polluted": true}}, ${JSON.stringify(server).slice(1)}`;
    const result = parse(
      `{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "version": 1, "generatedAt": "${snapshot.generatedAt}", "servers": [${hostileServer}]}`,
    );
    assert.deepEqual(result, snapshot);
    for (const object of [result, result.servers[0]!]) {
      assert.equal(Object.getPrototypeOf(object), Object.prototype);
      assert.equal(Object.hasOwn(object, '__proto__'), false);
      assert.equal(Object.hasOwn(object, 'constructor'), false);
      assert.equal(object.constructor, Object);
      assert.equal((object as unknown as Record<string, unknown>).polluted, undefined);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('a known field given only through `__proto__` is missing, not inherited', () => {
    const { state, ...withoutState } = server;
    const json = `{"version": 1, "generatedAt": "${snapshot.generatedAt}", "servers": [{"__proto__": {"state": "${state}"}, ${JSON.stringify(withoutState).slice(1)}]}`;
    assert.throws(() => parse(json), /servers\[0\]\.state must be 'up', 'down' or 'draining'/);
  });

  // Ignoring unknown fields changes nothing for the known ones: each is validated as before.
  const invalid: [string, unknown, RegExp][] = [
    ['another version', { ...snapshot, version: 2 }, /Unsupported status version 2/],
    ['no servers array', { ...snapshot, servers: {} }, /`servers` must be an array/],
    ['a bad generatedAt', { ...snapshot, generatedAt: 'yesterday' }, /generatedAt must be an ISO 8601/],
    ['an unknown state', { ...snapshot, servers: [{ ...server, state: 'busy' }] }, /\.state must be/],
    ['a negative load', { ...snapshot, servers: [{ ...server, load: -1 }] }, /\.load must be a finite/],
    ['a missing load', { ...snapshot, servers: [{ ...server, load: undefined }] }, /\.load must be/],
    ['a capacity below 1', { ...snapshot, servers: [{ ...server, capacity: 0 }] }, /\.capacity must be >= 1/],
    ['a non-http url', { ...snapshot, servers: [{ ...server, url: 'file:///etc' }] }, /\.url must be/],
    ['twice the same id', { ...snapshot, servers: [server, server] }, /servers\[1\]\.id `a` is not unique/],
  ];
  for (const [what, body, message] of invalid) {
    test(`still rejects ${what}`, () => {
      assert.throws(
        () => parseStatusSnapshot(JSON.parse(JSON.stringify(body))),
        (error: unknown) => error instanceof InvalidStatusError && message.test(error.message),
      );
    });
  }
});
