import { performance } from 'node:perf_hooks';
import type { FailureKind } from '../errors.js';
import { isSoapBalancerError } from '../errors.js';
import { type CallMessage, channels } from './channels.js';

/** How a call ended, as metrics count it: answered (a Fault apart), or the error code. */
export type CallOutcome = 'answered' | 'fault' | 'error' | `SOAPBAL_${string}`;

/** How an attempt ended: answered, failed this way, or cancelled (`close()`, the caller, a hedge lost). */
export type AttemptResult = 'answered' | 'cancelled' | FailureKind;

/** Receives every call's start and end and every attempt's end, to count them (the client's metrics). */
export interface CallObserver {
  callStarted(call: CallMessage): void;
  callEnded(call: CallMessage, outcome: CallOutcome, durationMs: number): void;
  attemptEnded(call: CallMessage, server: string, result: AttemptResult, durationMs: number): void;
}

/**
 * One call's telemetry: times it and its attempts, tells the observer, and publishes on the
 * diagnostics channels when someone subscribes. One object per call, made by the runner that owns it.
 */
export class CallTrace {
  readonly message: CallMessage;
  readonly #observer: CallObserver | undefined;
  readonly #startedAt = performance.now();

  constructor(message: CallMessage, observer: CallObserver | undefined) {
    this.message = message;
    this.#observer = observer;
    observer?.callStarted(message);
    if (channels.callStart.hasSubscribers) channels.callStart.publish({ call: message });
  }

  /** An attempt is sent to `server`; returns its start time for {@link attemptEnded}. */
  attemptStarted(server: string, attempt: number): number {
    if (channels.attemptStart.hasSubscribers) {
      channels.attemptStart.publish({ call: this.message, server, attempt });
    }
    return performance.now();
  }

  /** The attempt ended (`status`: the answer's, also a failed one's; `error`: what failed or cut it). */
  attemptEnded(
    server: string,
    attempt: number,
    startedAt: number,
    result: AttemptResult,
    status?: number,
    error?: unknown,
  ): void {
    const durationMs = performance.now() - startedAt;
    this.#observer?.attemptEnded(this.message, server, result, durationMs);
    if (channels.attemptEnd.hasSubscribers) {
      channels.attemptEnd.publish({
        call: this.message,
        server,
        attempt,
        durationMs,
        result,
        ...(status === undefined ? {} : { status }),
        ...(error === undefined ? {} : { error }),
      });
    }
  }

  /** The call was answered with this HTTP status. */
  answered(status: number): void {
    const durationMs = performance.now() - this.#startedAt;
    this.#observer?.callEnded(this.message, status >= 500 ? 'fault' : 'answered', durationMs);
    if (channels.callEnd.hasSubscribers) channels.callEnd.publish({ call: this.message, durationMs, status });
  }

  failed(error: unknown): void {
    const durationMs = performance.now() - this.#startedAt;
    this.#observer?.callEnded(this.message, isSoapBalancerError(error) ? error.code : 'error', durationMs);
    if (channels.callEnd.hasSubscribers) channels.callEnd.publish({ call: this.message, durationMs, error });
  }
}
