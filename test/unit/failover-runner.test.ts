import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Balancer } from '../../src/balancer/balancer.js';
import type { FailoverEvent } from '../../src/balancer/events.js';
import type { Lease } from '../../src/balancer/lease.js';
import type { RetryBudgetSettings } from '../../src/balancer/retry-budget.js';
import { ErrorCode } from '../../src/errors.js';
import { Attempts } from '../../src/transport/attempts.js';
import { headerReader, judgeAnswer } from '../../src/transport/classify-failure.js';
import { type Call, FailoverRunner } from '../../src/transport/failover.js';
import { firstEligible, rejectsSoapError, transportError } from './helpers.js';

interface Response {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly from?: string;
}

type Step = Response | Error | 'hang' | { readonly late: Response; readonly afterMs: number };

/** A runner over servers a, b, c whose `send` plays `steps` in order ('hang' never settles). */
function setup(
  steps: Step[],
  settings: { maxAttempts?: number; timeoutMs?: number; retryBudget?: RetryBudgetSettings } = {},
) {
  const clock = { now: 1_000_000 };
  const balancer = new Balancer({
    servers: ['http://a', 'http://b', 'http://c'],
    policy: firstEligible,
    downBackoffMs: 1000,
    maxDownBackoffMs: 30_000,
    now: () => clock.now,
    random: () => 0.5,
    retryBudget: settings.retryBudget,
  });
  const attempts = new Attempts();
  const runner = new FailoverRunner({
    balancer,
    attempts,
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
  const judge = (response: Response) =>
    judgeAnswer(response.status, headerReader(response.headers ?? {}), response.body ?? '');
  const run = (call: Partial<Call> = {}): Promise<{ readonly result: Response; readonly lease: Lease }> =>
    runner.run(
      { path: '/svc', operation: 'Add', mayRepeat: false, options: undefined, ...call },
      send,
      judge,
      (result) => discarded.push(result),
    );
  const inFlight = () => balancer.servers().map((server) => server.inFlight);
  const states = () => balancer.servers().map((server) => server.state);
  return { balancer, clock, attempts, sent, options, discarded, failovers, run, inFlight, states };
}

const refused = (): Error => transportError('ECONNREFUSED');
const soapFault =
  '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
  '<soap:Fault><faultcode>soap:Server</faultcode><faultstring>no</faultstring></soap:Fault></soap:Body></soap:Envelope>';
const htmlPage = '<html><body><h1>500 Internal Server Error</h1></body></html>';

describe('FailoverRunner', () => {
  test('returns the first server’s answer and leaves the call in flight on it for the caller', async () => {
    const fixture = setup([{ status: 200 }]);
    const { result, lease } = await fixture.run();

    assert.deepEqual(result, { status: 200, from: 'http://a/svc' });
    assert.equal(lease.url, 'http://a');
    assert.deepEqual(fixture.sent, ['http://a/svc']);
    assert.deepEqual(fixture.inFlight(), [1, 0, 0]);
    assert.equal(fixture.balancer.servers()[0]?.served, 1);
    assert.deepEqual(fixture.failovers, []);
    lease.release();
    assert.deepEqual(fixture.inFlight(), [0, 0, 0]);
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

  test('retries an unreachable server on the next one, also for a non-idempotent call, and emits failover', async () => {
    const fixture = setup([refused(), { status: 200 }]);
    const { result, lease } = await fixture.run({ mayRepeat: false });

    assert.equal(lease.url, 'http://b');
    assert.equal(result.from, 'http://b/svc');
    assert.deepEqual(fixture.failovers, [
      { operation: 'Add', from: 'http://a', to: 'http://b', failure: 'unreachable', attempt: 2 },
    ]);
    assert.deepEqual(fixture.inFlight(), [0, 1, 0]);
    assert.deepEqual(fixture.states(), ['down', 'up', 'up']);
  });

  test('a 503 means "not processed": a non-idempotent call is retried, the answer discarded', async () => {
    const fixture = setup([{ status: 503 }, { status: 200 }]);
    const { lease } = await fixture.run({ mayRepeat: false });

    assert.equal(lease.url, 'http://b');
    assert.deepEqual(fixture.discarded, [{ status: 503, from: 'http://a/svc' }]);
    assert.equal(fixture.failovers[0]?.failure, 'rejected');
    assert.deepEqual(fixture.states(), ['down', 'up', 'up']);
  });

  test('a 429 with Retry-After: retried elsewhere, and the server is skipped for that long', async () => {
    const fixture = setup([
      { status: 429, headers: { 'retry-after': '7' } },
      { status: 200 },
      { status: 200 },
    ]);
    await fixture.run({ mayRepeat: false });
    assert.deepEqual(fixture.sent, ['http://a/svc', 'http://b/svc']);
    assert.equal(fixture.balancer.servers()[0]?.downUntil, fixture.clock.now + 7_000);

    fixture.clock.now += 6_999;
    assert.equal((await fixture.run()).lease.url, 'http://b');
    fixture.clock.now += 1;
    const [first] = fixture.balancer.servers();
    assert.equal(first?.state, 'up');
  });

  for (const status of [502, 504]) {
    test(`a ${status} may come after the server ran the call: a non-idempotent call is not replayed`, async () => {
      const fixture = setup([{ status }, { status: 200 }]);
      const error = await rejectsSoapError(fixture.run({ mayRepeat: false }), ErrorCode.MaybeDelivered);

      assert.deepEqual(fixture.sent, ['http://a/svc']);
      assert.equal(error.mayHaveRun, true);
      assert.deepEqual(
        error.attempts.map((attempt) => [attempt.failure, attempt.status]),
        [['gateway-error', status]],
      );
      assert.match(error.message, new RegExp(`\\(${status}\\)`));
      assert.deepEqual(fixture.inFlight(), [0, 0, 0]);
    });

    test(`a ${status} of an idempotent call is retried on the next server`, async () => {
      const fixture = setup([{ status }, { status: 200 }]);
      const { lease } = await fixture.run({ mayRepeat: true });
      assert.equal(lease.url, 'http://b');
    });
  }

  test('a 500 that is not a SOAP envelope is a server failure: idempotent-only retry, server down', async () => {
    const fixture = setup([{ status: 500, body: htmlPage }, { status: 200 }]);
    const error = await rejectsSoapError(fixture.run({ mayRepeat: false }), ErrorCode.MaybeDelivered);
    assert.equal(error.attempts[0]?.failure, 'server-error');
    assert.deepEqual(fixture.states(), ['down', 'up', 'up']);

    const again = setup([{ status: 500, body: htmlPage }, { status: 200 }]);
    assert.equal((await again.run({ mayRepeat: true })).lease.url, 'http://b');
  });

  test('a 500 carrying a SOAP Fault is the service’s answer: returned once, the server stays up', async () => {
    const fixture = setup([{ status: 500, body: soapFault }, { status: 200 }]);
    const { result, lease } = await fixture.run({ mayRepeat: true });

    assert.equal(result.status, 500);
    assert.equal(lease.url, 'http://a');
    assert.deepEqual(fixture.sent, ['http://a/svc']);
    assert.deepEqual(fixture.states(), ['up', 'up', 'up']);
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
    assert.equal(error.mayHaveRun, true);
    assert.deepEqual(fixture.inFlight(), [0, 0, 0]);
  });

  test('a body cut short (axios: "stream has been aborted") is a reset: retried only if idempotent', async () => {
    const aborted = () => Object.assign(new Error('stream has been aborted'), { code: 'ERR_BAD_RESPONSE' });
    const fixture = setup([aborted(), { status: 200 }]);
    const { lease } = await fixture.run({ mayRepeat: true });
    assert.equal(lease.url, 'http://b');
    assert.equal(fixture.failovers[0]?.failure, 'reset');
    assert.deepEqual(fixture.states(), ['down', 'up', 'up']);

    const once = setup([aborted(), { status: 200 }]);
    await rejectsSoapError(once.run({ mayRepeat: false }), ErrorCode.MaybeDelivered);
  });

  test('stops at maxAttempts with ATTEMPTS_EXHAUSTED listing each attempt', async () => {
    const fixture = setup([refused(), { status: 503 }, refused()], { maxAttempts: 2 });
    const error = await rejectsSoapError(fixture.run(), ErrorCode.AttemptsExhausted);

    assert.deepEqual(fixture.sent, ['http://a/svc', 'http://b/svc']);
    assert.deepEqual(error.serversTried, ['http://a', 'http://b']);
    assert.deepEqual(
      error.attempts.map((attempt) => [attempt.failure, attempt.status]),
      [
        ['unreachable', undefined],
        ['rejected', 503],
      ],
    );
    assert.equal(error.mayHaveRun, false, 'neither attempt ran the call');
    assert.deepEqual(fixture.inFlight(), [0, 0, 0]);
  });

  test('ATTEMPTS_EXHAUSTED says the call may have run when an idempotent attempt may have', async () => {
    const fixture = setup([transportError('ECONNRESET'), refused(), refused()]);
    const error = await rejectsSoapError(fixture.run({ mayRepeat: true }), ErrorCode.AttemptsExhausted);
    assert.equal(error.mayHaveRun, true);
  });

  test('a retry refused by the retry budget fails the call with RETRY_BUDGET_SPENT, naming the attempts', async () => {
    const fixture = setup([refused(), { status: 200 }], {
      retryBudget: { percent: 0, minPerSecond: 0, windowMs: 1000 },
    });
    const error = await rejectsSoapError(fixture.run(), ErrorCode.RetryBudgetSpent);
    assert.deepEqual(fixture.sent, ['http://a/svc']);
    assert.deepEqual(error.serversTried, ['http://a']);
    assert.equal(error.mayHaveRun, false);
  });

  test('tries each server at most once per call, even with maxAttempts above the pool size', async () => {
    const fixture = setup([refused(), refused(), refused(), refused()], { maxAttempts: 5 });
    const error = await rejectsSoapError(fixture.run(), ErrorCode.AttemptsExhausted);

    assert.deepEqual(fixture.sent, ['http://a/svc', 'http://b/svc', 'http://c/svc']);
    assert.deepEqual(error.serversTried, ['http://a', 'http://b', 'http://c']);
  });

  test('fails with NO_SERVER_AVAILABLE without sending when every server is down', async () => {
    const fixture = setup([refused(), refused(), refused()]);
    await rejectsSoapError(fixture.run(), ErrorCode.AttemptsExhausted);
    const sentBefore = fixture.sent.length;
    const error = await rejectsSoapError(fixture.run(), ErrorCode.NoServerAvailable);

    assert.equal(fixture.sent.length, sentBefore);
    assert.deepEqual(error.attempts, []);
    assert.equal(error.mayHaveRun, false);
  });

  test('rethrows a non-transport error as is, without retrying, and releases the server', async () => {
    const bug = new Error('bad request options');
    const fixture = setup([bug, { status: 200 }]);
    await assert.rejects(fixture.run({ mayRepeat: true }), (error: unknown) => error === bug);

    assert.deepEqual(fixture.sent, ['http://a/svc']);
    assert.deepEqual(fixture.inFlight(), [0, 0, 0]);
    assert.deepEqual(fixture.states(), ['up', 'up', 'up']);
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
    const { lease } = await fixture.run({ mayRepeat: true });

    assert.equal(lease.url, 'http://b');
    assert.equal(fixture.failovers[0]?.failure, 'timeout');
  });

  test('an answer arriving after its attempt timed out is discarded, not returned', async () => {
    const late = { status: 200 };
    let discard: () => void = () => {};
    const discardedLate = new Promise<void>((resolve) => (discard = resolve));
    const fixture = setup([{ late, afterMs: 80 }, { status: 200 }], { timeoutMs: 20 });
    const { lease } = await fixture.run({ mayRepeat: true });
    assert.equal(lease.url, 'http://b');

    const watch = setInterval(() => fixture.discarded.length > 0 && discard(), 5);
    await discardedLate;
    clearInterval(watch);
    assert.deepEqual(fixture.discarded, [late]);
  });

  test('close() during an attempt rejects with CLOSED and says the call may have run', async () => {
    const fixture = setup(['hang']);
    const running = fixture.run();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(fixture.sent, ['http://a/svc']);

    fixture.attempts.close();
    const error = await rejectsSoapError(running, ErrorCode.Closed);

    assert.equal(error.operation, 'Add');
    assert.equal(error.mayHaveRun, true);
    assert.match(error.message, /in flight on http:\/\/a.*may have run/);
    assert.deepEqual(fixture.inFlight(), [0, 0, 0]);
  });

  test('a run after close() rejects with CLOSED without sending, and says it did not run', async () => {
    const fixture = setup([{ status: 200 }]);
    fixture.attempts.close();
    const error = await rejectsSoapError(fixture.run(), ErrorCode.Closed);
    assert.deepEqual(fixture.sent, []);
    assert.equal(error.mayHaveRun, false);
  });

  test('a caller’s own abort, reported by send, is rethrown as is and not retried', async () => {
    const reason = Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' });
    const fixture = setup([reason, { status: 200 }]);
    await assert.rejects(fixture.run({ mayRepeat: true }), (error: unknown) => error === reason);

    assert.deepEqual(fixture.sent, ['http://a/svc']);
    assert.deepEqual(fixture.inFlight(), [0, 0, 0]);
    assert.deepEqual(fixture.states(), ['up', 'up', 'up']);
  });
});
