import type { Balancer } from '../balancer/balancer.js';
import type { Lease } from '../balancer/lease.js';
import { type AttemptFailure, mayHaveRun } from '../errors.js';
import { type CallObserver, CallTrace } from '../observe/call-trace.js';
import { type Attempts, cancelled, type Judge, type Outcome, type Send } from './attempts.js';
import {
  attemptFailure,
  budgetSpentError,
  closedError,
  exhaustedError,
  maybeDeliveredError,
  noServerError,
  type RequestLabel,
} from './call-errors.js';
import { responseLoadOf } from './response-load.js';

/** One SOAP call: what to send, and whether it may run twice. */
export interface Call extends RequestLabel {
  /** Whether a request that may have run on a server can be sent again elsewhere. */
  readonly mayRepeat: boolean;
  /** The caller's own per-call options for node-soap's http client; never mutated. */
  readonly options: Record<string, unknown> | undefined;
}

export interface FailoverSettings {
  readonly balancer: Balancer;
  readonly attempts: Attempts;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  /** Runs before each call picks a server: where the status source checks that its status is fresh. */
  readonly beforeCall?: (() => void) | undefined;
  /** Counts each call and attempt (the client's metrics). */
  readonly observer?: CallObserver | undefined;
}

/**
 * Runs a call on the server the balancer picks and, when an attempt fails in a way that allows it,
 * on another one not yet tried: any call after a failure that proves the server did not run it
 * (unreachable, 503, 429), only an idempotent one after a failure that may have run it (reset,
 * timeout, 502, 504, a non-SOAP 5xx). Resolves with the answer and its lease still held: the caller
 * releases it once the response is consumed (at once, or when a stream ends).
 */
export class FailoverRunner {
  readonly #settings: FailoverSettings;

  constructor(settings: FailoverSettings) {
    this.#settings = settings;
  }

  async run<R extends { readonly status: number; readonly headers?: unknown }>(
    call: Call,
    send: Send<R>,
    judge: Judge<R>,
    discard: (result: R) => void,
  ): Promise<{ readonly result: R; readonly lease: Lease }> {
    const trace = new CallTrace(
      { kind: 'call', operation: call.operation, path: call.path, idempotent: call.mayRepeat },
      this.#settings.observer,
    );
    try {
      const answered = await this.#run(call, trace, send, judge, discard);
      trace.answered(answered.result.status);
      return answered;
    } catch (error: unknown) {
      trace.failed(error);
      throw error;
    }
  }

  async #run<R extends { readonly status: number; readonly headers?: unknown }>(
    call: Call,
    trace: CallTrace,
    send: Send<R>,
    judge: Judge<R>,
    discard: (result: R) => void,
  ): Promise<{ readonly result: R; readonly lease: Lease }> {
    const { balancer, attempts, maxAttempts, beforeCall } = this.#settings;
    beforeCall?.();
    const options = withTimeout(call.options, this.#settings.timeoutMs);
    let tried: Set<string> | undefined;
    const failures: AttemptFailure[] = [];
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempts.closed) throw closedError(call, failures, undefined);
      const previous = failures.at(-1);
      const picked = balancer.pick(
        previous === undefined
          ? { operation: call.operation }
          : { operation: call.operation, exclude: tried as Set<string>, previous, attempt },
      );
      if (picked.type === 'unavailable') break;
      if (picked.type === 'retry-budget-spent') throw budgetSpentError(call, failures);
      const { lease } = picked;
      const startedAt = trace.attemptStarted(lease.url, attempt);
      let outcome: Outcome<R>;
      try {
        outcome = await attempts.run(`${lease.url}${call.path}`, options, send, judge, discard);
      } catch (error: unknown) {
        lease.release();
        trace.attemptEnded(lease.url, attempt, startedAt, 'cancelled', undefined, error);
        throw error === cancelled ? closedError(call, failures, lease.url) : error;
      }
      if (outcome.failure === undefined) {
        trace.attemptEnded(lease.url, attempt, startedAt, 'answered', outcome.result.status);
        lease.succeeded(outcome.latencyMs, responseLoadOf(outcome.result));
        return { result: outcome.result, lease };
      }
      trace.attemptEnded(lease.url, attempt, startedAt, outcome.failure, outcome.status, outcome.error);
      if (outcome.result !== undefined) discard(outcome.result);
      lease.failed(outcome.failure, outcome.retryAfterMs);
      tried ??= new Set();
      tried.add(lease.url);
      failures.push(attemptFailure(lease.url, outcome));
      if (!call.mayRepeat && mayHaveRun(outcome.failure)) {
        throw maybeDeliveredError(call, failures, outcome.failure, outcome.error);
      }
    }
    if (failures.length === 0) throw noServerError(call, balancer.urls.length);
    throw exhaustedError(call, failures);
  }
}

/**
 * The per-call options with a `timeout`: the caller's own per-call `timeout` (node-soap passes it to
 * axios) wins; else `timeoutMs`. Made once per call, shared by its attempts, never mutating the caller's.
 */
export function withTimeout(
  options: Record<string, unknown> | undefined,
  timeoutMs: number,
): Record<string, unknown> {
  const own = options?.timeout;
  if (typeof own === 'number' && own > 0) return options as Record<string, unknown>;
  return { ...options, timeout: timeoutMs };
}
