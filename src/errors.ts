/**
 * Stable error codes. A code is never reused for another meaning; the README's error table documents
 * each one with what to do about it.
 */
export const ErrorCode = {
  /** No server is usable: every server is marked down, or every usable one was already tried for this call. */
  NoServerAvailable: 'SOAPBAL_NO_SERVER_AVAILABLE',
  /** Every attempt failed in a way that is safe to retry, and `maxAttempts` was reached. */
  AttemptsExhausted: 'SOAPBAL_ATTEMPTS_EXHAUSTED',
  /** A retry was refused by the retry budget: this client already retries too many of its calls. */
  RetryBudgetSpent: 'SOAPBAL_RETRY_BUDGET_SPENT',
  /** The request may have run on a server that then failed; it was not retried (operation not idempotent). */
  MaybeDelivered: 'SOAPBAL_MAYBE_DELIVERED',
  /** The client (or monitor) was closed, before or during the call. See `mayHaveRun`. */
  Closed: 'SOAPBAL_CLOSED',
  /** The WSDL or schema is not well-formed XML. */
  WsdlInvalid: 'SOAPBAL_WSDL_INVALID',
  /** The WSDL or schema carries a DOCTYPE or entity declaration; it is rejected unparsed. */
  WsdlUnsafe: 'SOAPBAL_WSDL_UNSAFE',
  /** node-soap could not load the WSDL (HTTP error, unsupported content, …); see `cause`. */
  WsdlLoadFailed: 'SOAPBAL_WSDL_LOAD_FAILED',
  /** A status source (the monitor, etcd) could not be reached, timed out, refused the credentials or answered an unexpected status. */
  StatusUnavailable: 'SOAPBAL_STATUS_UNAVAILABLE',
  /** A status source answered something that is not a valid status (garbage, wrong version, hostile). */
  StatusInvalid: 'SOAPBAL_STATUS_INVALID',
  /** `listen()` was called on a monitor that already listens. */
  AlreadyListening: 'SOAPBAL_ALREADY_LISTENING',
  /** A load reporter is already attached to this server (and not closed). */
  ReporterAttached: 'SOAPBAL_REPORTER_ATTACHED',
  /** A monitor's probe of a server failed (refused, timed out, 5xx, closed); see `cause`. */
  ProbeFailed: 'SOAPBAL_PROBE_FAILED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * How one attempt of a call failed. The first two prove that the server did not run the request, so
 * any call may be sent elsewhere; after the others it may have run, so only an idempotent call is.
 */
export type FailureKind =
  /** The server refused the connection or could not be reached: the request never left this process. */
  | 'unreachable'
  /** The server answered 503 or 429: it did not process the request (RFC 9110), and may say for how long. */
  | 'rejected'
  /** A gateway in front of the server answered 502 or 504: the server may have run the request. */
  | 'gateway-error'
  /** A 5xx answer that is not a SOAP envelope (a proxy's HTML error page, a crash): the server may have run it. */
  | 'server-error'
  /** The connection reset or closed, before or in the middle of the answer, after the request may have been sent. */
  | 'reset'
  /** No answer within `timeoutMs`. */
  | 'timeout';

/** Whether an attempt that failed this way may have run on its server. */
export function mayHaveRun(failure: FailureKind): boolean {
  return failure !== 'unreachable' && failure !== 'rejected';
}

/** One failed attempt of a call: which server, and how it failed. */
export interface AttemptFailure {
  /** Base URL of the server that was tried. */
  readonly server: string;
  readonly failure: FailureKind;
  /** HTTP status, for the failures that are answers (`rejected`, `gateway-error`, `server-error`). */
  readonly status?: number;
  /** How long the server asked not to be sent requests (its `Retry-After`), in ms. */
  readonly retryAfterMs?: number;
  /** The underlying error (an axios error, usually), when there was one. */
  readonly error?: unknown;
}

const brand = Symbol.for('soap-balancer.error');

export interface SoapBalancerErrorDetails {
  readonly cause?: unknown;
  /** The SOAP operation, when the failure happened during a call. */
  readonly operation?: string | undefined;
  readonly attempts?: readonly AttemptFailure[];
  /** Whether the request may have run on a server. @default false */
  readonly mayHaveRun?: boolean;
}

/** The one error class soap-balancer throws (besides `TypeError`/`RangeError` for invalid options). */
export class SoapBalancerError extends Error {
  override readonly name = 'SoapBalancerError';
  /**
   * What went wrong, stable across releases (`SOAPBAL_…`, see {@link ErrorCode} and the README's error
   * table): branch on this, not on the message.
   */
  readonly code: ErrorCode;
  /** The SOAP operation of the call that failed; `undefined` outside a call (a WSDL fetch, say). */
  readonly operation: string | undefined;
  /** Every failed attempt of the call, in order. Empty when no attempt was made. */
  readonly attempts: readonly AttemptFailure[];
  /**
   * Whether the request may have run on a server despite this error: an attempt failed after the
   * request was sent (reset, timeout, 502/504, a non-SOAP 5xx), or `close()` cut an attempt in flight.
   * `false` means no server ran it: it is safe to send again, whatever the operation.
   */
  readonly mayHaveRun: boolean;

  constructor(code: ErrorCode, message: string, details: SoapBalancerErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.operation = details.operation;
    this.attempts = details.attempts ?? [];
    this.mayHaveRun = details.mayHaveRun ?? false;
    Object.defineProperty(this, brand, { value: true });
  }

  /** Base URLs of the servers tried, in order. */
  get serversTried(): string[] {
    return this.attempts.map((attempt) => attempt.server);
  }
}

/**
 * True for errors thrown by any copy of soap-balancer (works across duplicated installs, unlike
 * `instanceof`).
 */
export function isSoapBalancerError(value: unknown): value is SoapBalancerError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
