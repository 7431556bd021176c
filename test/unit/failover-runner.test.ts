import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Balancer } from '../../src/balancer/balancer.js';
import type { FailoverEvent } from '../../src/balancer/events.js';
import type { ServerState } from '../../src/balancer/server.js';
import { ErrorCode } from '../../src/errors.js';
import { type Call, FailoverRunner } from '../../src/transport/failover.js';
import { firstEligible, rejectsSoapError, transportError } from './helpers.js';

interface Response {
  readonly status: number;
  readonly from?: string;
}

type Step = Response | Error | 'hang' | { readonly late: Response; readonly afterMs: number };

interface Fixture {
  readonly balancer: Balancer;
  readonly runner: FailoverRunner;
  /** URLs `send` was called with, in order. */
  readonly sent: string[];
  /** The options of each attempt, in order. */
  readonly options: Record<string, unknown>[];
  readonly discarded: Response[];
  readonly failovers: FailoverEvent[];
  run(call?: Partial<Call>): Promise<{ readonly result: Response; readonly server: ServerState }>;
  inFlight(): number[];
}

/** A runner over servers a, b, c whose `send` plays `steps` in order ('hang' never settles). */
function setup(steps: Step[], settings: { maxAttempts?: number; timeoutMs?: number } = {}): Fixture {
  const balancer = new Balancer({
    servers: ['http://a', 'http://b', 'http://c'],
    policy: firstEligible,
    downBackoffMs: 1000,
    maxDownBackoffMs: 30_000,
  });
  const runner = new FailoverRunner({
    balancer,
    maxAttempts: settings.maxAttempts ?? 3,
    timeoutMs: settings.timeoutMs ?? 10_000,
  });
  const sent: string[] = [];
  const options: Record<string, unknown>[] = [];
  const discarded: Response[] = [];
  const failovers: FailoverEvent[] = [];
  balancer.on('failover', (event) => failovers.push(event));
  const send = (url: string, attemptOptions: Record<string, unknown>): Promise<Response> => {
    sent.push(url);
    options.push(attemptOptions);
    const step = steps.shift() ?? { status: 200 };
    if (step === 'hang') return new Promise(() => {});
    if ('late' in step) return new Promise((resolve) => setTimeout(resolve, step.afterMs, step.late));
    if (step instanceof Error) return Promise.reject(step);
    return Promise.resolve({ ...step, from: url });
  };
  const run = (call: Partial<Call> = {}) =>
    runner.run(
      { path: '/svc', operation: 'Add', mayRepeat: false, options: undefined, ...call },
      send,
      (result) => discarded.push(result),
    );
  const inFlight = () => balancer.servers().map((server) => server.inFlight);
  return { balancer, runner, sent, options, discarded, failovers, run, inFlight };
}

const refused = (): Error => transportError('ECONNREFUSED');

describe('FailoverRunner', () => {
  test('returns the first server’s answer and leaves the call in flight on it for the caller', async () => {
    const fixture = setup([{ status: 200 }]);
    const { result, server } = await fixture.run();

    assert.deepEqual(result, { status: 200, from: 'http://a/svc' });
    assert.equal(server.url, 'http://a');
    assert.deepEqual(fixture.sent, ['http://a/svc']);
    assert.deepEqual(fixture.inFlight(), [1, 0, 0]);
    assert.equal(fixture.balancer.servers()[0]?.served, 1);
    assert.deepEqual(fixture.failovers, []);
  });

  test('passes the caller’s own options to send, with timeoutMs as `timeout`, without mutating them', async () => {
    const signal = new AbortController().signal;
    const options = { headers: { x: '1' }, signal };
    const fixture = setup([{ status: 200 }]);
    await fixture.run({ options });

    assert.deepEqual(options, { headers: { x: '1' }, signal });
    assert.deepEqual(fixture.options[0], { headers: { x: '1' }, signal, timeout: 10_000 });
  });

  test('a caller’s own per-call timeout wins over timeoutMs', async () => {
    const options = { timeout: 30 };
    const fixture = setup(['hang'], { timeoutMs: 60_000 });
    const error = await rejectsSoapError(fixture.run({ options }), ErrorCode.MaybeDelivered);

    assert.equal(error.attempts[0]?.failure, 'timeout');
    assert.equal(fixture.options[0], options);
  });

  test('retries an unreachable server on the next one and emits failover', async () => {
    const fixture = setup([refused(), { status: 200 }]);
    const { result, server } = await fixture.run();

    assert.equal(server.url, 'http://b');
    assert.equal(result.from, 'http://b/svc');
    assert.deepEqual(fixture.sent, ['http://a/svc', 'http://b/svc']);
    assert.deepEqual(fixture.failovers, [
      { operation: 'Add', from: 'http://a', to: 'http://b', failure: 'unreachable', attempt: 2 },
    ]);
    assert.deepEqual(fixture.inFlight(), [0, 1, 0]);
    assert.equal(fixture.balancer.servers()[0]?.state, 'down');
  });

  test('discards a 503 answer and retries on the next server', async () => {
    const fixture = setup([{ status: 503 }, { status: 200 }]);
    const { server } = await fixture.run();

    assert.equal(server.url, 'http://b');
    assert.deepEqual(fixture.discarded, [{ status: 503, from: 'http://a/svc' }]);
    assert.equal(fixture.failovers[0]?.failure, 'unavailable-status');
    assert.deepEqual(fixture.inFlight(), [0, 1, 0]);
  });

  test('a reset of a call that may not repeat fails with MAYBE_DELIVERED after one attempt', async () => {
    const reset = transportError('ECONNRESET');
    const fixture = setup([reset, { status: 200 }]);
    const error = await rejectsSoapError(fixture.run({ mayRepeat: false }), ErrorCode.MaybeDelivered);

    assert.deepEqual(fixture.sent, ['http://a/svc']);
    assert.equal(error.attempts.length, 1);
    assert.equal(error.attempts[0]?.failure, 'reset');
    assert.equal(error.attempts[0]?.error, reset);
    assert.equal(error.cause, reset);
    assert.equal(error.operation, 'Add');
    assert.deepEqual(fixture.inFlight(), [0, 0, 0]);
  });

  test('a reset of a call that may repeat is retried on the next server', async () => {
    const fixture = setup([transportError('ECONNRESET'), { status: 200 }]);
    const { server } = await fixture.run({ mayRepeat: true });

    assert.equal(server.url, 'http://b');
    assert.deepEqual(fixture.sent, ['http://a/svc', 'http://b/svc']);
    assert.equal(fixture.failovers[0]?.failure, 'reset');
  });

  test('stops at maxAttempts with ATTEMPTS_EXHAUSTED listing each attempt', async () => {
    const fixture = setup([refused(), { status: 502 }, refused()], { maxAttempts: 2 });
    const error = await rejectsSoapError(fixture.run(), ErrorCode.AttemptsExhausted);

    assert.deepEqual(fixture.sent, ['http://a/svc', 'http://b/svc']);
    assert.equal(error.attempts.length, 2);
    assert.deepEqual(error.serversTried, ['http://a', 'http://b']);
    assert.deepEqual(
      error.attempts.map((attempt) => [attempt.failure, attempt.status]),
      [
        ['unreachable', undefined],
        ['unavailable-status', 502],
      ],
    );
    assert.deepEqual(fixture.inFlight(), [0, 0, 0]);
  });

  test('tries each server at most once per call, even with maxAttempts above the pool size', async () => {
    const fixture = setup([refused(), refused(), refused(), refused()], { maxAttempts: 5 });
    const error = await rejectsSoapError(fixture.run(), ErrorCode.AttemptsExhausted);

    assert.deepEqual(fixture.sent, ['http://a/svc', 'http://b/svc', 'http://c/svc']);
    assert.deepEqual(error.serversTried, ['http://a', 'http://b', 'http://c']);
  });

  test('fails with NO_SERVER_AVAILABLE without sending when every server is down', async () => {
    const fixture = setup([]);
    const exclude = new Set<ServerState>();
    for (let server = fixture.balancer.pick(exclude); server; server = fixture.balancer.pick(exclude)) {
      fixture.balancer.reportFailure(server, 'unreachable');
    }
    const error = await rejectsSoapError(fixture.run(), ErrorCode.NoServerAvailable);

    assert.deepEqual(fixture.sent, []);
    assert.deepEqual(error.attempts, []);
  });

  test('rethrows a non-transport error as is, without retrying, and releases the server', async () => {
    const bug = new Error('bad request options');
    const fixture = setup([bug, { status: 200 }]);
    await assert.rejects(fixture.run({ mayRepeat: true }), (error: unknown) => error === bug);

    assert.deepEqual(fixture.sent, ['http://a/svc']);
    assert.deepEqual(fixture.inFlight(), [0, 0, 0]);
    assert.equal(fixture.balancer.servers()[0]?.state, 'up');
  });

  test('an attempt with no answer within timeoutMs fails as a timeout', async () => {
    const fixture = setup(['hang'], { timeoutMs: 50 });
    const error = await rejectsSoapError(fixture.run({ mayRepeat: false }), ErrorCode.MaybeDelivered);

    assert.equal(error.attempts[0]?.failure, 'timeout');
    assert.deepEqual(fixture.sent, ['http://a/svc']);
    assert.equal(fixture.options[0]?.timeout, 50);
    assert.deepEqual(fixture.inFlight(), [0, 0, 0]);
  });

  test('a timed-out attempt of a call that may repeat is retried on the next server', async () => {
    const fixture = setup(['hang', { status: 200 }], { timeoutMs: 50 });
    const { server } = await fixture.run({ mayRepeat: true });

    assert.equal(server.url, 'http://b');
    assert.equal(fixture.failovers[0]?.failure, 'timeout');
  });

  test('an answer arriving after its attempt timed out is discarded, not returned', async () => {
    const late = { status: 200 };
    const fixture = setup([{ late, afterMs: 80 }, { status: 200 }], { timeoutMs: 20 });
    const { server } = await fixture.run({ mayRepeat: true });
    assert.equal(server.url, 'http://b');

    while (fixture.discarded.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(fixture.discarded, [late]);
  });

  test('close() during an attempt that never settles rejects with CLOSED', async () => {
    const fixture = setup(['hang']);
    const running = fixture.run();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(fixture.sent, ['http://a/svc']);

    fixture.runner.close();
    const error = await rejectsSoapError(running, ErrorCode.Closed);

    assert.equal(error.operation, 'Add');
    assert.deepEqual(fixture.inFlight(), [0, 0, 0]);
  });

  test('a run after close() rejects with CLOSED without sending', async () => {
    const fixture = setup([{ status: 200 }]);
    fixture.runner.close();
    await rejectsSoapError(fixture.run(), ErrorCode.Closed);
    assert.deepEqual(fixture.sent, []);
  });

  test('a caller’s own abort, reported by send, is rethrown as is and not retried', async () => {
    const reason = Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' });
    const fixture = setup([reason, { status: 200 }]);
    await assert.rejects(fixture.run({ mayRepeat: true }), (error: unknown) => error === reason);

    assert.deepEqual(fixture.sent, ['http://a/svc']);
    assert.deepEqual(fixture.inFlight(), [0, 0, 0]);
    assert.equal(fixture.balancer.servers()[0]?.state, 'up');
  });
});
