import { channel } from 'node:diagnostics_channel';
import type { FailureKind } from '../errors.js';

/**
 * Tracing hooks on `node:diagnostics_channel`, as undici publishes `undici:request:*`: APM and
 * OpenTelemetry instrumentations subscribe by name, without wrapping the client. Nothing is built or
 * published while no one subscribes. The message objects are the public contract (README, "Tracing").
 */
export const channels = {
  /** A call (or a WSDL/schema fetch) starts: `{ call }`. */
  callStart: channel('soap-balancer:call:start'),
  /** A call ends, answered or failed: `{ call, durationMs, status?, error? }`. */
  callEnd: channel('soap-balancer:call:end'),
  /** An attempt of a call is sent to a server: `{ call, server, attempt }`. */
  attemptStart: channel('soap-balancer:attempt:start'),
  /** An attempt ends: `{ call, server, attempt, durationMs, result, status?, error? }`. */
  attemptEnd: channel('soap-balancer:attempt:end'),
} as const;

/** What a call is, as published on every channel; the same object from start to end of the call. */
export interface CallMessage {
  /** `'call'` for a SOAP call, `'document'` for a WSDL or schema fetch. */
  readonly kind: 'call' | 'document';
  /** The SOAP operation; `undefined` for a document. */
  readonly operation: string | undefined;
  /** The path requested on the server picked (the same on every server). */
  readonly path: string;
  /** Whether the call may be sent again after it may have run. */
  readonly idempotent: boolean;
}

export interface CallEndMessage {
  readonly call: CallMessage;
  readonly durationMs: number;
  /** The HTTP status of the answer, when the call was answered. */
  readonly status?: number;
  /** Why the call failed (a `SoapBalancerError`, or the caller's own error). */
  readonly error?: unknown;
}

export interface AttemptStartMessage {
  readonly call: CallMessage;
  /** Base URL of the server. */
  readonly server: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

export interface AttemptEndMessage extends AttemptStartMessage {
  readonly durationMs: number;
  /** `'answered'`, `'cancelled'` (by `close()`, the caller, or a hedge that lost), or how it failed. */
  readonly result: 'answered' | 'cancelled' | FailureKind;
  /** The HTTP status of the answer, also of one that counts as a failure (a 503, say). */
  readonly status?: number;
  readonly error?: unknown;
}
