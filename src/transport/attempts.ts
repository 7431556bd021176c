import { performance } from 'node:perf_hooks';
import type { FailureKind } from '../errors.js';
import { classifyError, type FailedAnswer } from './classify-failure.js';

/** Sends one attempt to `url` with node-soap's per-call `options` (`timeout` included). */
export type Send<R> = (url: string, options: Record<string, unknown>) => Promise<R>;

/** Tells a failed answer (see `judgeAnswer`) from the service's answer (`undefined`). */
export type Judge<R> = (result: R) => FailedAnswer | undefined;

/** What one attempt came to. */
export type Outcome<R> =
  | { readonly result: R; readonly latencyMs: number; readonly failure?: undefined }
  | FailedOutcome<R>;

export interface FailedOutcome<R> {
  readonly failure: FailureKind;
  /** The failed answer, to be discarded (its body may be a stream holding a socket). */
  readonly result?: R;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly error?: unknown;
}

/** The rejection of an attempt that `close()` cancelled. */
export const cancelled: unique symbol = Symbol('cancelled');

/**
 * Runs single attempts so that each settles by its timeout or by `close()`, even when the inner
 * client never answers. The hot path allocates little on purpose: no AbortController (the inner
 * client's own `timeout` aborts the socket, `close()` destroys the agents), one timer as the
 * guarantee that an attempt settles on time.
 */
export class Attempts {
  /** Cancels the attempts in flight, for `close()`. */
  readonly #pending = new Set<() => void>();
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  /** Every attempt in flight rejects with {@link cancelled}, and so does every later one. */
  close(): void {
    this.#closed = true;
    for (const cancel of this.#pending) cancel();
    this.#pending.clear();
  }

  /**
   * Sends one attempt and resolves with its outcome; rejects with {@link cancelled} on `close()`, and
   * with the error itself when it is not a transport failure (it belongs to the caller).
   * @param options per-call options with a numeric `timeout` (ms).
   */
  run<R extends { readonly status: number }>(
    url: string,
    options: Record<string, unknown>,
    send: Send<R>,
    judge: Judge<R>,
    discard: (result: R) => void,
  ): Promise<Outcome<R>> {
    if (this.#closed) return Promise.reject(cancelled);
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
        if (settle()) reject(cancelled);
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
        const failed = judge(result);
        resolve(
          failed === undefined ? { result, latencyMs: performance.now() - started } : { ...failed, result },
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
