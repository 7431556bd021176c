import { performance } from 'node:perf_hooks';
import type { Balancer } from '../balancer/balancer.js';
import type { Lease } from '../balancer/lease.js';
import type { AttemptFailure } from '../errors.js';
import { type CallObserver, CallTrace } from '../observe/call-trace.js';
import { type Attempts, cancelled, type Judge, type Outcome, type Send } from './attempts.js';
import {
  attemptFailure,
  closedError,
  exhaustedError,
  noServerError,
  type RequestLabel,
} from './call-errors.js';

export interface DocumentFetchSettings {
  readonly balancer: Balancer;
  readonly attempts: Attempts;
  readonly maxAttempts: number;
  /** The whole time one document may take, every attempt included (ms). */
  readonly budgetMs: number;
  /** A call's `timeoutMs`: a losing attempt unanswered for this long counts as a timeout of its server. */
  readonly timeoutMs: number;
  /** Counts each fetch and attempt (the client's metrics). */
  readonly observer?: CallObserver | undefined;
}

/** What a fetch runs with: the settings and the hedge delay derived from them. */
interface FetchPlan extends DocumentFetchSettings {
  /** How long an attempt may go unanswered before the next server is asked as well (ms). */
  readonly hedgeAfterMs: number;
}

/**
 * Fetches a WSDL or schema (a GET, so always safe to repeat) within one time budget. Attempts are
 * hedged: when the first server has not answered after a while (a call's timeout, or the budget's share
 * of one attempt if smaller), a second one is asked in
 * parallel, and so on; the first answer wins and the others are aborted. A server that fails fast
 * (refused, 503) is replaced at once. So three servers that accept and never answer cost `budgetMs`,
 * not three full timeouts.
 */
export class DocumentFetcher {
  readonly #plan: FetchPlan;

  constructor(settings: DocumentFetchSettings) {
    const { timeoutMs, budgetMs, maxAttempts } = settings;
    // An answer slower than a call may take is worth a second opinion; the budget is shared out so
    // that every server gets its turn before the time is up.
    this.#plan = { ...settings, hedgeAfterMs: Math.max(1, Math.min(timeoutMs, budgetMs / maxAttempts)) };
  }

  fetch<R extends { readonly status: number }>(
    path: string,
    options: Record<string, unknown> | undefined,
    send: Send<R>,
    judge: Judge<R>,
    discard: (result: R) => void,
  ): Promise<{ readonly result: R; readonly lease: Lease }> {
    return new HedgedFetch(this.#plan, { path, operation: undefined }, options, send, judge, discard).done;
  }
}

interface Running {
  readonly lease: Lease;
  readonly abort: AbortController;
  readonly attempt: number;
  /** `performance.now()` when it was sent. */
  readonly startedAt: number;
}

/** One document fetch in progress: its attempts, its hedge timer and its deadline. */
class HedgedFetch<R extends { readonly status: number }> {
  readonly done: Promise<{ readonly result: R; readonly lease: Lease }>;
  readonly #settings: FetchPlan;
  readonly #request: RequestLabel;
  readonly #options: Record<string, unknown> | undefined;
  readonly #send: Send<R>;
  readonly #judge: Judge<R>;
  readonly #discard: (result: R) => void;
  readonly #deadline: number;
  readonly #trace: CallTrace;
  readonly #running = new Set<Running>();
  readonly #tried = new Set<string>();
  readonly #failures: AttemptFailure[] = [];
  #hedgeTimer: NodeJS.Timeout | undefined;
  #settled = false;
  #resolve!: (value: { readonly result: R; readonly lease: Lease }) => void;
  #reject!: (error: unknown) => void;

  constructor(
    settings: FetchPlan,
    request: RequestLabel,
    options: Record<string, unknown> | undefined,
    send: Send<R>,
    judge: Judge<R>,
    discard: (result: R) => void,
  ) {
    this.#settings = settings;
    this.#request = request;
    this.#options = options;
    this.#send = send;
    this.#judge = judge;
    this.#discard = discard;
    this.#deadline = Date.now() + settings.budgetMs;
    this.#trace = new CallTrace(
      { kind: 'document', operation: undefined, path: request.path, idempotent: true },
      settings.observer,
    );
    this.done = new Promise((resolve, reject) => {
      this.#resolve = (value) => {
        this.#trace.answered(value.result.status);
        resolve(value);
      };
      this.#reject = (error) => {
        this.#trace.failed(error);
        reject(error);
      };
    });
    this.#launch();
  }

  /** Starts one more attempt, if a server and time are left; settles when nothing can be started or is running. */
  #launch(): void {
    clearTimeout(this.#hedgeTimer);
    const { balancer, attempts, maxAttempts, hedgeAfterMs } = this.#settings;
    const remainingMs = this.#deadline - Date.now();
    const picked =
      this.#tried.size < maxAttempts && remainingMs > 0
        ? balancer.pick({
            operation: undefined,
            exclude: this.#tried,
            budgeted: false,
            ...this.#failoverFrom(),
          })
        : { type: 'unavailable' as const };
    if (picked.type !== 'picked') {
      if (this.#running.size === 0) this.#fail();
      return;
    }
    const attempt = this.#tried.size + 1;
    const startedAt = this.#trace.attemptStarted(picked.lease.url, attempt);
    const running: Running = { lease: picked.lease, abort: new AbortController(), attempt, startedAt };
    this.#running.add(running);
    this.#tried.add(running.lease.url);
    const signal = this.#options?.signal;
    const options = {
      ...this.#options,
      timeout: remainingMs,
      signal:
        signal instanceof AbortSignal
          ? AbortSignal.any([signal, running.abort.signal])
          : running.abort.signal,
    };
    attempts
      .run(`${running.lease.url}${this.#request.path}`, options, this.#send, this.#judge, this.#discard)
      .then(
        (outcome) => this.#settle(running, outcome),
        (error: unknown) => this.#abandon(running, error),
      );
    if (this.#tried.size < maxAttempts) {
      this.#hedgeTimer = setTimeout(() => this.#launch(), hedgeAfterMs);
    }
  }

  #failoverFrom(): { previous?: AttemptFailure; attempt?: number } {
    const previous = this.#failures.at(-1);
    return previous === undefined ? {} : { previous, attempt: this.#tried.size + 1 };
  }

  #settle(running: Running, outcome: Outcome<R>): void {
    if (!this.#running.delete(running)) {
      // Aborted as a loser: already released or failed, and counted.
      if (outcome.result !== undefined) this.#discard(outcome.result);
      return;
    }
    const { url } = running.lease;
    if (outcome.failure === undefined) {
      this.#trace.attemptEnded(url, running.attempt, running.startedAt, 'answered', outcome.result.status);
    } else {
      this.#trace.attemptEnded(
        url,
        running.attempt,
        running.startedAt,
        outcome.failure,
        outcome.status,
        outcome.error,
      );
    }
    if (outcome.failure === undefined) {
      this.#settled = true;
      clearTimeout(this.#hedgeTimer);
      running.lease.succeeded(outcome.latencyMs);
      this.#abortOthers();
      this.#resolve({ result: outcome.result, lease: running.lease });
      return;
    }
    if (outcome.result !== undefined) this.#discard(outcome.result);
    running.lease.failed(outcome.failure, outcome.retryAfterMs);
    this.#failures.push(attemptFailure(running.lease.url, outcome));
    this.#launch();
  }

  /** The attempt was aborted because another won, cancelled by `close()`, or failed with the caller's error. */
  #abandon(running: Running, error: unknown): void {
    if (!this.#running.delete(running)) return;
    running.lease.release();
    this.#trace.attemptEnded(
      running.lease.url,
      running.attempt,
      running.startedAt,
      'cancelled',
      undefined,
      error,
    );
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#hedgeTimer);
    this.#abortOthers();
    this.#reject(error === cancelled ? closedError(this.#request, this.#failures, undefined) : error);
  }

  /** The losers: aborted; one unanswered for as long as a call may take is a timeout of its server. */
  #abortOthers(): void {
    for (const other of this.#running) {
      this.#running.delete(other);
      other.abort.abort();
      const timedOut = performance.now() - other.startedAt >= this.#settings.timeoutMs;
      this.#trace.attemptEnded(
        other.lease.url,
        other.attempt,
        other.startedAt,
        timedOut ? 'timeout' : 'cancelled',
      );
      if (timedOut) other.lease.failed('timeout');
      else other.lease.release();
    }
  }

  #fail(): void {
    if (this.#settled) return;
    this.#settled = true;
    const { balancer } = this.#settings;
    this.#reject(
      this.#failures.length === 0
        ? noServerError(this.#request, balancer.urls.length)
        : exhaustedError(this.#request, this.#failures),
    );
  }
}
