import { ErrorCode, isSoapBalancerError, SoapBalancerError } from '../errors.js';

/**
 * A failed probe as the monitor reports it (`probeError`, the CLI's log): code `SOAPBAL_PROBE_FAILED`,
 * a message with the URL probed and what failed, and the underlying error, if any, as `cause`.
 */
export function probeFailed(url: string, what: string, cause?: unknown): SoapBalancerError {
  return new SoapBalancerError(
    ErrorCode.ProbeFailed,
    `Probe GET ${url} failed: ${what}`,
    cause === undefined ? {} : { cause },
  );
}

/** Any error of a probe's GET as a probe failure: one already is kept, anything else becomes the cause. */
export function asProbeFailure(url: string, error: unknown): SoapBalancerError {
  if (isSoapBalancerError(error) && error.code === ErrorCode.ProbeFailed) return error;
  return probeFailed(url, whatFailed(error), error);
}

/** What the errors a socket typically ends with mean, in the words an operator reads in a log. */
const socketFailures: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ETIMEDOUT: 'timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

function whatFailed(error: unknown): string {
  if (isSoapBalancerError(error)) return error.message;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && Object.hasOwn(socketFailures, code))
    return `${socketFailures[code]} (${code})`;
  return error instanceof Error ? error.message : String(error);
}
