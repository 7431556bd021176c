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

/**
 * Classifies a transport error. `undefined` means it is not a transport failure (a bad option, an
 * abort by the caller, a response over `maxContentLength`, …): it goes to the caller unchanged and
 * says nothing about the server's health.
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
  // The server sent headers, then closed or died in the middle of the body: axios reports that as a
  // bad response with this message (its only mark); the request was sent, so it may have run.
  if (code === 'ERR_BAD_RESPONSE' && (error as { message?: unknown }).message === 'stream has been aborted') {
    return 'reset';
  }
  return undefined;
}

/** An HTTP answer that is a failure of the server rather than the service's answer. */
export interface FailedAnswer {
  readonly failure: FailureKind;
  readonly status: number;
  readonly retryAfterMs?: number;
}

/** Reads one response header, from axios headers or a plain header object. */
export type HeaderReader = (name: string) => string | undefined;

/**
 * Judges an HTTP answer: `undefined` when it is the service's answer (any 2xx-4xx but 429, and a 5xx
 * that carries a SOAP envelope, i.e. a SOAP Fault), else how the server failed:
 * - 503 and 429: the server says it did not process the request (RFC 9110) → `rejected`, honouring
 *   its `Retry-After`;
 * - 502 and 504: a gateway's word; the server behind it may have run the request → `gateway-error`;
 * - any other 5xx without a SOAP envelope (a proxy's HTML error page, say) → `server-error`.
 * `body` is the response text when buffered; for a streamed response (`undefined`), the content type
 * decides whether it is SOAP.
 */
export function judgeAnswer(status: number, header: HeaderReader, body: unknown): FailedAnswer | undefined {
  if (status < 500 && status !== 429) return undefined;
  if (status === 503 || status === 429) {
    const retryAfterMs = parseRetryAfter(header('retry-after'));
    return retryAfterMs === undefined
      ? { failure: 'rejected', status }
      : { failure: 'rejected', status, retryAfterMs };
  }
  if (status === 502 || status === 504) return { failure: 'gateway-error', status };
  if (isSoapAnswer(header('content-type'), body)) return undefined;
  return { failure: 'server-error', status };
}

/** How far into a body the envelope's start tag is looked for (after a prolog, comments, a BOM). */
const envelopeSearchChars = 4_096;
const envelopeStart = /<(?:[A-Za-z_][\w.-]*:)?Envelope[\s>/]/;

function isSoapAnswer(contentType: string | undefined, body: unknown): boolean {
  const type = (contentType ?? '').toLowerCase();
  // MTOM: the envelope is the first part of a multipart/related body.
  if (type.startsWith('multipart/related')) return true;
  if (body === undefined || body === null || typeof (body as { pipe?: unknown }).pipe === 'function') {
    return type.includes('xml');
  }
  const text = Buffer.isBuffer(body)
    ? body.toString('utf8', 0, envelopeSearchChars)
    : String(body).slice(0, envelopeSearchChars);
  return envelopeStart.test(text);
}

/** `Retry-After` as delay-seconds or an HTTP date, in ms from now; `undefined` when absent or invalid. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  // The three HTTP date formats all start with the day's name; Date.parse would take `-5` as a year.
  const date = /^[A-Za-z]{3}/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A header reader over axios's `AxiosHeaders` or Node's lower-cased header object. */
export function headerReader(headers: unknown): HeaderReader {
  if (typeof headers !== 'object' || headers === null) return () => undefined;
  return (name) => {
    const value = (headers as Record<string, unknown>)[name];
    if (typeof value === 'string') return value;
    return Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
  };
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
