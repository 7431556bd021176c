import { performance } from 'node:perf_hooks';
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

/** Sends one attempt to `url` with node-soap's per-call `options` (`timeout` included). */
export type Send<R> = (url: string, options: Record<string, unknown>) => Promise<R>;

export interface FailoverSettings {
  readonly balancer: Balancer;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  /** Runs before each call picks a server: where the status source checks that its status is fresh. */
  readonly beforeCall?: (() => void) | undefined;
}

const closed = Symbol('closed');
const nothingTried: ReadonlySet<ServerState> = new Set();

type Outcome<R> =
  | { readonly result: R; readonly latencyMs: number; readonly failure?: undefined }
  | RetryableOutcome<R>;
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
 *
 * The hot path allocates little on purpose: no AbortController per attempt (the inner client's own
 * `timeout` aborts the socket, `close()` destroys the agents), one timer as the guarantee that an
 * attempt settles on time, and the bookkeeping of failures only once one happens.
 */
export class FailoverRunner {
  readonly #settings: FailoverSettings;
  /** Cancels the attempts in flight, for `close()`. */
  readonly #pending = new Set<() => void>();
  #closed = false;

  constructor(settings: FailoverSettings) {
    this.#settings = settings;
  }

  /** Fails every call from now on, and the attempts in flight, with `SOAPBAL_CLOSED`. */
  close(): void {
    this.#closed = true;
    for (const cancel of this.#pending) cancel();
    this.#pending.clear();
  }

  async run<R extends { readonly status: number }>(
    call: Call,
    send: Send<R>,
    discard: (result: R) => void,
  ): Promise<{ readonly result: R; readonly server: ServerState }> {
    const { balancer, maxAttempts, beforeCall } = this.#settings;
    beforeCall?.();
    const options = withTimeout(call.options, this.#settings.timeoutMs);
    let tried = nothingTried;
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
      balancer.acquire(server);
      let outcome: Outcome<R>;
      try {
        outcome = await this.#attempt(`${server.url}${call.path}`, options, send, discard);
      } catch (error: unknown) {
        balancer.release(server);
        throw error === closed ? closedError(call, failures) : error;
      }
      if (outcome.failure === undefined) {
        balancer.reportSuccess(server, outcome.latencyMs);
        return { result: outcome.result, server };
      }
      balancer.release(server);
      if (outcome.result !== undefined) discard(outcome.result);
      balancer.reportFailure(server, outcome.failure);
      tried = new Set([...tried, server]);
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

  /** One attempt; settles by the timeout or `close()` even when the inner client never answers. */
  #attempt<R extends { readonly status: number }>(
    url: string,
    options: Record<string, unknown>,
    send: Send<R>,
    discard: (result: R) => void,
  ): Promise<Outcome<R>> {
    return new Promise<Outcome<R>>((resolve, reject) => {
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        this.#pending.delete(cancel);
        return true;
      };
      const cancel = (): void => {
        if (settle()) reject(closed);
      };
      const timeoutMs = options.timeout as number;
      const timer = setTimeout(() => {
        if (settle()) resolve({ failure: 'timeout', error: new Error(`No answer within ${timeoutMs} ms`) });
      }, timeoutMs);
      this.#pending.add(cancel);
      const started = performance.now();
      const onResult = (result: R): void => {
        if (!settle()) {
          discard(result);
          return;
        }
        resolve(
          isUnavailableStatus(result.status)
            ? { failure: 'unavailable-status', status: result.status, result }
            : { result, latencyMs: performance.now() - started },
        );
      };
      const onError = (error: unknown): void => {
        if (!settle()) return;
        const failure = classifyError(error);
        if (failure === undefined) reject(error);
        else resolve({ failure, error });
      };
      try {
        send(url, options).then(onResult, onError);
      } catch (error: unknown) {
        onError(error);
      }
    });
  }
}

/**
 * The per-call options with a `timeout`: the caller's own per-call `timeout` (node-soap passes it to
 * axios) wins; else `timeoutMs`. Made once per call, shared by its attempts, never mutating the caller's.
 */
function withTimeout(
  options: Record<string, unknown> | undefined,
  timeoutMs: number,
): Record<string, unknown> {
  const own = options?.timeout;
  if (typeof own === 'number' && own > 0) return options as Record<string, unknown>;
  return { ...options, timeout: timeoutMs };
}

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
