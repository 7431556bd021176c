import type { FailureKind } from '../errors.js';
import type { ResponseLoad } from '../load-report/orca.js';
import type { ServerState } from './server-state.js';

/** How the Balancer learns what became of a lease's attempt. */
export interface LeaseOutcomes {
  succeeded(server: ServerState, latencyMs: number, load: ResponseLoad | undefined): void;
  failed(server: ServerState, failure: FailureKind, retryAfterMs: number | undefined): void;
}

/**
 * One attempt's hold on the server it was picked for, as grpc-js's pick result carries
 * `onCallStarted`/`onCallEnded`: the call counts as in flight there from the pick until `release()`
 * (or `failed()`), and its outcome goes back to the Balancer through the lease alone.
 */
export class Lease {
  /** Base URL of the server picked. */
  readonly url: string;
  #server: ServerState | undefined;
  readonly #outcomes: LeaseOutcomes;

  /** @internal Made by the Balancer's `pick()`, which has counted the call in flight. */
  constructor(server: ServerState, outcomes: LeaseOutcomes) {
    this.url = server.url;
    this.#server = server;
    this.#outcomes = outcomes;
  }

  /**
   * The server answered, `latencyMs` after the request was sent, with its load in the answer's
   * `endpoint-load-metrics` header if it sent one. The call stays in flight until `release()`, when
   * its response has been consumed (at once, or when a streamed body ends).
   */
  succeeded(latencyMs: number, load?: ResponseLoad): void {
    if (this.#server !== undefined) this.#outcomes.succeeded(this.#server, latencyMs, load);
  }

  /** The attempt failed this way; ends the lease. `retryAfterMs`: the server's own `Retry-After`. */
  failed(failure: FailureKind, retryAfterMs?: number): void {
    const server = this.#server;
    if (server === undefined) return;
    this.release();
    this.#outcomes.failed(server, failure, retryAfterMs);
  }

  /** The call no longer occupies the server. Idempotent. */
  release(): void {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    server.inFlight--;
  }
}

/** What a pick gives: a lease on a server, or the reason there is none. */
export type PickResult =
  | { readonly type: 'picked'; readonly lease: Lease }
  /** Every server is down, draining, not allowed or already tried by this call. */
  | { readonly type: 'unavailable' }
  /** A retry, refused by the retry budget: this client already retries too much. */
  | { readonly type: 'retry-budget-spent' };
