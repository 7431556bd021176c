import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SnapshotPublisher } from '../../src/monitor/snapshot.js';
import { parseStatusSnapshot, type ServerStatus } from '../../src/status/schema.js';

const server = (fields: Partial<ServerStatus> = {}): ServerStatus => ({
  id: 'a',
  url: 'http://a:1',
  state: 'up',
  load: 0.5,
  loadSource: 'latency',
  capacity: null,
  inFlight: null,
  queued: null,
  served: null,
  eventLoopDelayMs: null,
  latencyMs: 50,
  lastCheckedAt: '2024-01-01T00:00:00.000Z',
  ...fields,
});

function clock(start = Date.parse('2024-01-01T00:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

test('publishes a schema v1 snapshot that the client validator accepts, body and object alike', () => {
  const publisher = new SnapshotPublisher(clock().now, [server()]);
  const { snapshot, body } = publisher.current;
  assert.deepEqual(parseStatusSnapshot(JSON.parse(body.toString())), snapshot);
  assert.deepEqual(JSON.parse(body.toString()), snapshot);
  assert.equal(snapshot.generatedAt, '2024-01-01T00:00:00.000Z');
});

test('the body and generatedAt change exactly when the content changes', () => {
  const time = clock();
  const publisher = new SnapshotPublisher(time.now, [server()]);
  const first = publisher.current;

  time.advance(1000);
  assert.equal(publisher.publish([server()]), false, 'equal content is not a new version');
  assert.equal(publisher.current, first);

  time.advance(1000);
  assert.equal(publisher.publish([server({ state: 'down' })]), true);
  const second = publisher.current;
  assert.notEqual(second.etag, first.etag);
  assert.equal(second.snapshot.generatedAt, '2024-01-01T00:00:02.000Z');

  assert.equal(publisher.publish([server({ state: 'down' })]), false);
  assert.equal(publisher.publish([]), true);
  assert.notEqual(publisher.current.etag, second.etag);
});

test('two publishers (a restarted monitor) never share an ETag for their first versions', () => {
  const a = new SnapshotPublisher(clock().now, []);
  const b = new SnapshotPublisher(clock().now, []);
  assert.notEqual(a.current.etag, b.current.etag);
  assert.match(a.current.etag, /^W\/"[\w-]+"$/);
});

test('the published snapshot is frozen, so no caller can change it for the others', () => {
  const { snapshot } = new SnapshotPublisher(clock().now, [server()]).current;
  assert.ok(
    Object.isFrozen(snapshot) && Object.isFrozen(snapshot.servers) && Object.isFrozen(snapshot.servers[0]),
  );
});

test('latency jitter and new check times give a new body under the same ETag; a state change a new ETag', () => {
  const time = clock();
  const publisher = new SnapshotPublisher(time.now, [server(), server({ id: 'b', url: 'http://b:1' })], 0.1);
  const { etag } = publisher.current;

  for (let round = 1; round <= 5; round++) {
    time.advance(1000);
    const checkedAt = new Date(time.now()).toISOString();
    const jittered = [
      server({ latencyMs: 50 + round, lastCheckedAt: checkedAt, load: 0.5 + round / 100 }),
      server({ id: 'b', url: 'http://b:1', latencyMs: 40 - round, lastCheckedAt: checkedAt }),
    ];
    assert.equal(publisher.publish(jittered), true, 'the body is fresh');
    assert.equal(publisher.current.etag, etag, `round ${round}: same ETag`);
    assert.equal(publisher.current.snapshot.servers[0]?.latencyMs, 50 + round);
  }

  publisher.publish([server({ state: 'down' }), server({ id: 'b', url: 'http://b:1' })]);
  assert.notEqual(publisher.current.etag, etag);
});

test('the ETag changes once a load has moved beyond the threshold since it last changed, and with membership', () => {
  const publisher = new SnapshotPublisher(clock().now, [server({ load: 0.5 })], 0.1);
  const tags = new Set([publisher.current.etag]);
  // Drifting 0.04 a round: no single step crosses 0.1, but the third one has moved 0.12 from the tagged 0.5.
  publisher.publish([server({ load: 0.54 })]);
  publisher.publish([server({ load: 0.58 })]);
  assert.ok(tags.has(publisher.current.etag), 'each step is within the threshold');
  publisher.publish([server({ load: 0.62 })]);
  assert.ok(!tags.has(publisher.current.etag), 'a drift beyond the threshold is a new ETag');
  tags.add(publisher.current.etag);

  publisher.publish([server({ load: 0.62 }), server({ id: 'b', url: 'http://b:1' })]);
  assert.ok(!tags.has(publisher.current.etag), 'a new server is a new ETag');
  tags.add(publisher.current.etag);
  publisher.publish([server({ id: 'b', url: 'http://b:1' }), server({ load: 0.62 })]);
  assert.ok(!tags.has(publisher.current.etag), 'a new order is a new ETag');
});

test('with a threshold of 0, any load change is a new ETag', () => {
  const publisher = new SnapshotPublisher(clock().now, [server({ load: 0.5 })], 0);
  const { etag } = publisher.current;
  publisher.publish([server({ load: 0.5001 })]);
  assert.notEqual(publisher.current.etag, etag);
});
