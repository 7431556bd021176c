import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import type { ProbeAnswer } from '../../src/monitor/http-transport.js';
import { forEachLimited, nextRoundDelay } from '../../src/monitor/rounds.js';
import { maxTimerMs } from '../../src/validate.js';
import {
  FakeTransport,
  fastProbing,
  jsonAnswer,
  loadReport,
  monitorFor,
  waitFor,
} from '../helpers/monitor.js';
import { rejectsSoapError } from './helpers.js';

/** Every server answers a report with `inFlight` from `load`, or fails when `down` has it. */
function replicas() {
  const down = new Set<string>();
  const transport = new FakeTransport((url) => {
    const origin = new URL(url).origin;
    return down.has(origin)
      ? Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })
      : jsonAnswer(loadReport());
  });
  return { transport, down };
}

const fixedClock = () => Date.parse('2024-05-01T12:00:00Z');

describe('Monitor without sockets', () => {
  test('lists every server down and unchecked before start(), in the order given', (t) => {
    const monitor = monitorFor(t, {
      servers: ['http://a:1/', { url: 'http://b:1', id: 'b' }],
      transport: replicas().transport,
      now: fixedClock,
    });
    const snapshot = monitor.snapshot();
    assert.equal(snapshot.version, 1);
    assert.equal(snapshot.generatedAt, '2024-05-01T12:00:00.000Z');
    assert.deepEqual(
      snapshot.servers.map((s) => [s.id, s.url, s.state, s.loadSource, s.lastCheckedAt]),
      [
        ['http://a:1', 'http://a:1', 'down', 'none', null],
        ['b', 'http://b:1', 'down', 'none', null],
      ],
    );
  });

  test('start() resolves after the first round, with every verdict published and announced', async (t) => {
    const { transport, down } = replicas();
    down.add('http://b:1');
    const monitor = monitorFor(t, { servers: ['http://a:1', 'http://b:1'], transport, ...fastProbing });
    const events: string[] = [];
    monitor.on('serverUp', (status) => events.push(`up ${status.id}`));
    monitor.on('serverDown', (status) => events.push(`down ${status.id}`));
    monitor.on('probeError', ({ id, error }) =>
      events.push(`error ${id} ${error.code} ${(error.cause as NodeJS.ErrnoException).code}`),
    );

    await monitor.start();

    assert.deepEqual(events, [
      'up http://a:1',
      'error http://b:1 SOAPBAL_PROBE_FAILED ECONNREFUSED',
      'down http://b:1',
    ]);
    assert.deepEqual(
      monitor.snapshot().servers.map((s) => s.state),
      ['up', 'down'],
    );
  });

  test('added, removed and drained servers show in the snapshot at once, each as a new version', async (t) => {
    const { transport } = replicas();
    const monitor = monitorFor(t, { servers: ['http://a:1'], transport, ...fastProbing });
    await monitor.start();
    const versions = new Set([monitor.snapshot()]);

    const added = monitor.addServer({ url: 'http://b:1/', id: 'b' });
    assert.deepEqual(
      [added.id, added.url, added.state, added.lastCheckedAt],
      ['b', 'http://b:1', 'down', null],
    );
    assert.deepEqual(
      monitor.snapshot().servers.map((s) => s.id),
      ['http://a:1', 'b'],
    );
    versions.add(monitor.snapshot());

    await waitFor(() => monitor.snapshot().servers[1]?.state === 'up', 'b probed in a later round');
    assert.equal(monitor.setDraining('b', true), true);
    assert.equal(monitor.snapshot().servers[1]?.state, 'draining');
    versions.add(monitor.snapshot());

    assert.equal(monitor.removeServer('http://a:1/'), true, 'found by its URL, normalized');
    assert.deepEqual(
      monitor.snapshot().servers.map((s) => s.id),
      ['b'],
    );
    versions.add(monitor.snapshot());
    assert.equal(versions.size, 4);
  });

  test('unknown servers: remove and setDraining say false; add refuses a taken id or URL', (t) => {
    const monitor = monitorFor(t, {
      servers: [{ url: 'http://a:1', id: 'a' }],
      transport: replicas().transport,
    });
    assert.equal(monitor.removeServer('nope'), false);
    assert.equal(monitor.setDraining('http://c:1', true), false);
    assert.equal(monitor.setDraining('not a url', true), false);
    assert.throws(() => monitor.addServer({ url: 'http://b:1', id: 'a' }), /id `a` is already watched/);
    assert.throws(() => monitor.addServer('http://a:1/'), /URL `http:\/\/a:1` is already watched/);
    assert.throws(() => monitor.addServer('mailto:x'), TypeError);
    const before = monitor.snapshot();
    assert.equal(monitor.setDraining('a', false), true);
    assert.equal(monitor.snapshot(), before, 'a no-op change publishes nothing');
  });

  test('setServers() adds, removes, moves a URL to a new id and sets drain flags; kept servers keep their state', async (t) => {
    const { transport } = replicas();
    const monitor = monitorFor(t, {
      servers: [
        { url: 'http://a:1', id: 'a' },
        { url: 'http://b:1', id: 'b' },
        { url: 'http://c:1', id: 'c' },
      ],
      transport,
      now: fixedClock,
      ...fastProbing,
    });
    await monitor.start();
    const ups: string[] = [];
    monitor.on('serverUp', (status) => ups.push(status.id));

    const changed = monitor.setServers([
      { url: 'http://a:1', id: 'a', draining: true },
      { url: 'http://c:1', id: 'c2' },
      { url: 'http://d:1', id: 'd' },
    ]);

    assert.deepEqual(changed, { added: 2, removed: 2 });
    assert.deepEqual(
      monitor.snapshot().servers.map((s) => `${s.id}:${s.state}:${s.lastCheckedAt ?? 'unchecked'}`),
      ['a:draining:2024-05-01T12:00:00.000Z', 'c2:down:unchecked', 'd:down:unchecked'],
    );
    await waitFor(() => ups.includes('d'), 'the next round');
    assert.ok(!ups.includes('a'), 'the kept server was not probed as new');
    assert.deepEqual(monitor.setServers([]), { added: 0, removed: 3 });
    assert.deepEqual(monitor.snapshot().servers, []);
  });

  test('setServers() with a list that cannot be applied changes nothing, wherever the list fails', async (t) => {
    const { transport } = replicas();
    const monitor = monitorFor(t, { servers: ['http://a:1', 'http://b:1'], transport, ...fastProbing });
    await monitor.start();
    const before = monitor.snapshot();
    const many = Array.from({ length: 10_001 }, (_, i) => `http://127.0.0.1:1/s${i}`);
    const bad: [unknown[], typeof TypeError | typeof RangeError, RegExp][] = [
      [many, RangeError, /`servers` to list at most 10000 servers, got 10001/],
      [[...many.slice(0, 9_999), 'ftp://late'], TypeError, /`servers\[9999\]` to be an absolute http/],
      [['http://c:1', 'http://d:1', 'http://c:1/'], TypeError, /distinct URLs/],
      [['http://c:1', { url: 'http://d:1', id: 'http://c:1' }], TypeError, /distinct ids/],
    ];
    for (const [servers, type, message] of bad) {
      assert.throws(
        () => monitor.setServers(servers as string[]),
        (error: unknown) => {
          assert.ok(error instanceof type, String(error));
          assert.match(error.message, message);
          return true;
        },
      );
      assert.equal(monitor.snapshot(), before, 'nothing was published');
      assert.deepEqual(
        monitor.servers().map((s) => s.id),
        ['http://a:1', 'http://b:1'],
      );
    }
    assert.equal(monitor.setServers(['http://a:1/', 'http://b:1']).added, 0, 'a no-op list');
    assert.equal(monitor.snapshot(), before, 'and a no-op publishes nothing');
  });

  test('a probe that ends after its server was removed changes nothing', async (t) => {
    let release: (answer: Partial<ProbeAnswer>) => void = () => {};
    const transport = new FakeTransport(() => ({ status: 200 }));
    transport.get = async (url) => {
      transport.requests.push(url.href);
      const answer = await new Promise<Partial<ProbeAnswer>>((resolve) => (release = resolve));
      return { status: 200, body: Buffer.alloc(0), truncated: false, latencyMs: 1, ...answer };
    };
    const monitor = monitorFor(t, { servers: ['http://a:1'], transport, loadPath: false, ...fastProbing });
    const ups: string[] = [];
    monitor.on('serverUp', (status) => ups.push(status.id));
    const started = monitor.start();
    await waitFor(() => transport.requests.length === 1, 'the probe');
    monitor.removeServer('http://a:1');
    release({ status: 200 });
    await started;
    assert.deepEqual(ups, []);
    assert.deepEqual(monitor.snapshot().servers, []);
  });

  test('close() is idempotent, stops probing, and start() or listen() afterwards reject', async (t) => {
    // The rounds' timer runs on a mocked clock: time is moved on, not waited for.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    const { transport } = replicas();
    const monitor = monitorFor(t, { servers: ['http://a:1'], transport, ...fastProbing });
    await monitor.start();
    t.mock.timers.tick(fastProbing.intervalMs);
    await settle();
    assert.equal(transport.requests.length, 2, 'one round per interval while open');

    await Promise.all([monitor.close(), monitor.close()]);
    t.mock.timers.tick(10 * fastProbing.intervalMs);
    await settle();
    assert.equal(transport.requests.length, 2, 'no round after close()');
    await rejectsSoapError(monitor.start(), ErrorCode.Closed);
    await rejectsSoapError(monitor.listen({ port: 0 }), ErrorCode.Closed);
  });

  test('listen() validates its options', async (t) => {
    const monitor = monitorFor(t, { servers: [], transport: replicas().transport });
    await assert.rejects(monitor.listen({ port: 70_000 }), RangeError);
    await assert.rejects(monitor.listen({ port: 0, host: '' }), TypeError);
    await assert.rejects(monitor.listen({ port: 0, tls: true } as never), /Unknown option `tls`/);
  });
});

describe('rounds', () => {
  test('forEachLimited never runs more than `limit` tasks at once, and runs them all', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await forEachLimited(
      Array.from({ length: 50 }, (_, i) => i),
      4,
      async (item) => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
        done.push(item);
      },
      () => false,
    );
    assert.equal(most, 4);
    assert.equal(done.length, 50);
  });

  test('forEachLimited takes no new item once stopped', async () => {
    let stopped = false;
    const done: number[] = [];
    await forEachLimited(
      [1, 2, 3, 4],
      1,
      async (item) => {
        done.push(item);
        stopped = item === 2;
      },
      () => stopped,
    );
    assert.deepEqual(done, [1, 2]);
  });

  test('the next round starts intervalMs ± jitter after the previous start', () => {
    assert.equal(nextRoundDelay(1000, 0.1, 0, 0), 900);
    assert.equal(nextRoundDelay(1000, 0.1, 0.5, 0), 1000);
    assert.equal(nextRoundDelay(1000, 0.1, 0.999_999, 0), 1100);
    assert.equal(nextRoundDelay(1000, 0.1, 0.5, 300), 700, 'time spent probing counts');
    assert.equal(nextRoundDelay(1000, 0.1, 0.5, 5000), 0, 'an overrun round is followed at once');
  });

  test('the delay never exceeds what a timer can wait, whatever the jitter adds', () => {
    // 2^31 - 1 ms plus 10% would make setTimeout fire after 1 ms.
    assert.equal(nextRoundDelay(maxTimerMs, 0.1, 0.999_999, 0), maxTimerMs);
    assert.equal(nextRoundDelay(maxTimerMs, 0.1, 0.5, 1), maxTimerMs - 1);
  });
});
