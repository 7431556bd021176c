import {
  type AttemptFailure,
  ErrorCode,
  type FailureKind,
  mayHaveRun,
  SoapBalancerError,
} from '../errors.js';
import type { FailedOutcome } from './attempts.js';

/** What the errors of a request name: its operation (a call) or its path (a document fetch). */
export interface RequestLabel {
  readonly path: string;
  /** The SOAP operation, `undefined` for WSDL and schema fetches. */
  readonly operation: string | undefined;
}

export function attemptFailure(server: string, outcome: FailedOutcome<unknown>): AttemptFailure {
  return {
    server,
    failure: outcome.failure,
    ...(outcome.status === undefined ? {} : { status: outcome.status }),
    ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }),
    ...(outcome.error === undefined ? {} : { error: outcome.error }),
  };
}

function anyMayHaveRun(failures: readonly AttemptFailure[]): boolean {
  return failures.some((attempt) => mayHaveRun(attempt.failure));
}

export function noServerError(request: RequestLabel, poolSize: number): SoapBalancerError {
  return new SoapBalancerError(
    ErrorCode.NoServerAvailable,
    poolSize === 0
      ? `No server available for ${describeRequest(request)}: the pool is empty`
      : `No server available for ${describeRequest(request)}: all ${poolSize} are down or draining`,
    { operation: request.operation },
  );
}

export function exhaustedError(
  request: RequestLabel,
  failures: readonly AttemptFailure[],
): SoapBalancerError {
  return new SoapBalancerError(
    ErrorCode.AttemptsExhausted,
    `${describeRequest(request)} failed on every server tried: ${failures.map(describeFailure).join(', ')}`,
    {
      cause: failures.at(-1)?.error,
      operation: request.operation,
      attempts: failures,
      mayHaveRun: anyMayHaveRun(failures),
    },
  );
}

export function budgetSpentError(
  request: RequestLabel,
  failures: readonly AttemptFailure[],
): SoapBalancerError {
  return new SoapBalancerError(
    ErrorCode.RetryBudgetSpent,
    `${describeRequest(request)} failed on ${failures.map(describeFailure).join(', ')}, and was not retried: ` +
      'the retry budget is spent (this client retries too many calls; the pool is probably sick)',
    {
      cause: failures.at(-1)?.error,
      operation: request.operation,
      attempts: failures,
      mayHaveRun: anyMayHaveRun(failures),
    },
  );
}

export function maybeDeliveredError(
  request: RequestLabel,
  failures: readonly AttemptFailure[],
  failure: FailureKind,
  cause: unknown,
): SoapBalancerError {
  const last = failures.at(-1) as AttemptFailure;
  return new SoapBalancerError(
    ErrorCode.MaybeDelivered,
    `${describeRequest(request)} failed on ${last.server} (${last.status ?? failure}) after the request ` +
      'may have run there; not retried because the operation is not marked idempotent',
    { cause, operation: request.operation, attempts: failures, mayHaveRun: true },
  );
}

/**
 * The call was cut by `close()`. `inFlight`: an attempt had been sent and not answered, so the
 * server may have run it; the error says so in `mayHaveRun` and in its message.
 */
export function closedError(
  request: RequestLabel,
  failures: readonly AttemptFailure[],
  inFlightOn: string | undefined,
): SoapBalancerError {
  const mayHave = inFlightOn !== undefined || anyMayHaveRun(failures);
  const where = inFlightOn === undefined ? '' : ` while in flight on ${inFlightOn}`;
  return new SoapBalancerError(
    ErrorCode.Closed,
    `${describeRequest(request)} was cancelled${where}: the client is closed; ` +
      (mayHave ? 'the request may have run on a server' : 'no server ran it'),
    { operation: request.operation, attempts: failures, mayHaveRun: mayHave },
  );
}

export function describeRequest(request: RequestLabel): string {
  return request.operation === undefined ? `GET ${request.path}` : `Operation ${request.operation}`;
}

function describeFailure(failure: AttemptFailure): string {
  return `${failure.server} (${failure.status ?? failure.failure})`;
}
