import type { FailureKind } from '../errors.js';

// Errors raised before a single byte of the request could reach the server: safe to send elsewhere.
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
]);

// The connection broke while or after the request was being sent: the server may have run it.
const brokenConnectionCodes = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/** Statuses that mean "this server can't serve now, another may": a gateway or overloaded server. */
export function isUnavailableStatus(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}

/**
 * Classifies a transport error. `undefined` means it is not a transport failure (a bad option, an
 * abort by the caller, …): it goes to the caller unchanged and says nothing about the server's health.
 */
export function classifyError(error: unknown): FailureKind | undefined {
  const code = errorCode(error);
  if (code === undefined) return undefined;
  if (unreachableCodes.has(code)) return 'unreachable';
  // A connect() that timed out in the OS never delivered anything.
  if (code === 'ETIMEDOUT') return syscallOf(error) === 'connect' ? 'unreachable' : 'timeout';
  // axios's own `timeout` option (a caller may set it per call) fails with this code.
  if (code === 'ECONNABORTED') return 'timeout';
  if (brokenConnectionCodes.has(code)) return 'reset';
  return undefined;
}

function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; depth < 3 && isObject(current); current = current.cause, depth++) {
    if (typeof current.code === 'string' && current.code !== 'ERR_NETWORK') return current.code;
  }
  return undefined;
}

function syscallOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; depth < 3 && isObject(current); current = current.cause, depth++) {
    if (typeof current.syscall === 'string') return current.syscall;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
