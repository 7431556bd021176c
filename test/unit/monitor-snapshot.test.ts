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

test('the ETag and generatedAt change exactly when the content changes', () => {
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
  assert.match(a.current.etag, /^"[\w-]+"$/);
});

test('the published snapshot is frozen, so no caller can change it for the others', () => {
  const { snapshot } = new SnapshotPublisher(clock().now, [server()]).current;
  assert.ok(
    Object.isFrozen(snapshot) && Object.isFrozen(snapshot.servers) && Object.isFrozen(snapshot.servers[0]),
  );
});
