import type { Balancer } from '../balancer/balancer.js';
import type { ServerState } from '../balancer/server.js';
import { type AttemptFailure, ErrorCode, type FailureKind, SoapBalancerError } from '../errors.js';
import { classifyError, isUnavailableStatus } from './classify-failure.js';

/** One logical request: what to send, and how much may be retried. */
export interface Call {
  /** Part of the URL after the server's base. */
  readonly path: string;
  /** The SOAP operation, `undefined` for WSDL and schema fetches. */
  readonly operation: string | undefined;
  /** Whether a request that may have reached a server can be sent again elsewhere. */
  readonly mayRepeat: boolean;
  /** The caller's own per-call options for node-soap's http client; never mutated. */
  readonly options: Record<string, unknown> | undefined;
}

/** Sends one attempt to `url` with node-soap's per-call `options` (to which `signal` was added). */
export type Send<R> = (url: string, options: Record<string, unknown>) => Promise<R>;

export interface FailoverSettings {
  readonly balancer: Balancer;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
}

const timedOut = Symbol('timed out');
const closed = Symbol('closed');

type Outcome<R> = { readonly result: R; readonly failure?: undefined } | RetryableOutcome<R>;
interface RetryableOutcome<R> {
  readonly failure: FailureKind;
  readonly result?: R;
  readonly status?: number;
  readonly error?: unknown;
}

/**
 * Runs a call on the server the balancer picks and, when an attempt fails in a way that allows it, on
 * another one not yet tried. Returns the response with its server still counted as in flight: the
 * caller releases it once the response is consumed (at once, or when a stream ends).
 */
export class FailoverRunner {
  readonly #settings: FailoverSettings;
  readonly #active = new Set<AbortController>();
  #closed = false;

  constructor(settings: FailoverSettings) {
    this.#settings = settings;
  }

  /** Fails every call from now on, and aborts the attempts in flight, with `SOAPBAL_CLOSED`. */
  close(): void {
    this.#closed = true;
    for (const controller of this.#active) controller.abort(closed);
    this.#active.clear();
  }

  async run<R extends { readonly status: number }>(
    call: Call,
    send: Send<R>,
    discard: (result: R) => void,
  ): Promise<{ readonly result: R; readonly server: ServerState }> {
    const { balancer, maxAttempts } = this.#settings;
    const tried = new Set<ServerState>();
    const failures: AttemptFailure[] = [];
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (this.#closed) throw closedError(call, failures);
      const server = balancer.pick(tried);
      if (server === undefined) break;
      const previous = failures.at(-1);
      if (previous !== undefined) {
        balancer.emit('failover', {
          operation: call.operation,
          from: previous.server,
          to: server.url,
          failure: previous.failure,
          attempt,
        });
      }
      tried.add(server);
      balancer.acquire(server);
      let outcome: Outcome<R>;
      try {
        outcome = await this.#attempt(server, call, send);
      } catch (error: unknown) {
        balancer.release(server);
        throw error === closed ? closedError(call, failures) : error;
      }
      if (outcome.failure === undefined) {
        balancer.reportSuccess(server);
        return { result: outcome.result, server };
      }
      balancer.release(server);
      if (outcome.result !== undefined) discard(outcome.result);
      balancer.reportFailure(server, outcome.failure);
      failures.push(attemptFailure(server, outcome));
      if (!call.mayRepeat && (outcome.failure === 'reset' || outcome.failure === 'timeout')) {
        throw new SoapBalancerError(
          ErrorCode.MaybeDelivered,
          `${describeCall(call)} failed on ${server.url} (${outcome.failure}) after the request may have reached it; ` +
            'not retried because the operation is not marked idempotent',
          { cause: outcome.error, operation: call.operation, attempts: failures },
        );
      }
    }
    if (failures.length === 0) {
      throw new SoapBalancerError(
        ErrorCode.NoServerAvailable,
        `No server available for ${describeCall(call)}: all ${balancer.urls.length} are marked down`,
        { operation: call.operation },
      );
    }
    throw new SoapBalancerError(
      ErrorCode.AttemptsExhausted,
      `${describeCall(call)} failed on every server tried: ${failures.map(describeFailure).join(', ')}`,
      { cause: failures.at(-1)?.error, operation: call.operation, attempts: failures },
    );
  }

  async #attempt<R extends { readonly status: number }>(
    server: ServerState,
    call: Call,
    send: Send<R>,
  ): Promise<Outcome<R>> {
    const controller = new AbortController();
    const { signal } = controller;
    this.#active.add(controller);
    const timer = setTimeout(() => controller.abort(timedOut), this.#settings.timeoutMs);
    const unlink = followCallerSignal(call.options?.signal, controller);
    try {
      // Racing the abort keeps the timeout and close() effective even with an httpClient that ignores `signal`.
      const result = await Promise.race([
        send(`${server.url}${call.path}`, { ...call.options, signal }),
        rejectOnAbort(signal),
      ]);
      if (isUnavailableStatus(result.status))
        return { failure: 'unavailable-status', status: result.status, result };
      return { result };
    } catch (error: unknown) {
      if (signal.reason === closed) throw closed;
      if (signal.reason === timedOut)
        return { failure: 'timeout', error: new Error(`No answer within ${this.#settings.timeoutMs} ms`) };
      const failure = classifyError(error);
      if (failure === undefined) throw error;
      return { failure, error };
    } finally {
      clearTimeout(timer);
      unlink();
      this.#active.delete(controller);
    }
  }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** Aborts the attempt when the caller's own `signal` (a node-soap per-call option) aborts. */
function followCallerSignal(callerSignal: unknown, controller: AbortController): () => void {
  if (!(callerSignal instanceof AbortSignal)) return noop;
  if (callerSignal.aborted) {
    controller.abort(callerSignal.reason);
    return noop;
  }
  const forward = (): void => controller.abort(callerSignal.reason);
  callerSignal.addEventListener('abort', forward, { once: true });
  return () => callerSignal.removeEventListener('abort', forward);
}

function noop(): void {}

function attemptFailure(server: ServerState, outcome: RetryableOutcome<unknown>): AttemptFailure {
  return {
    server: server.url,
    failure: outcome.failure,
    ...(outcome.status === undefined ? {} : { status: outcome.status }),
    ...(outcome.error === undefined ? {} : { error: outcome.error }),
  };
}

function closedError(call: Call, failures: readonly AttemptFailure[]): SoapBalancerError {
  return new SoapBalancerError(
    ErrorCode.Closed,
    `${describeCall(call)} was cancelled: the client is closed`,
    {
      operation: call.operation,
      attempts: failures,
    },
  );
}

function describeCall(call: Call): string {
  return call.operation === undefined ? `GET ${call.path}` : `Operation ${call.operation}`;
}

function describeFailure(failure: AttemptFailure): string {
  return `${failure.server} (${failure.status ?? failure.failure})`;
}
