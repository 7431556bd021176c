import { ErrorCode, isSoapBalancerError } from '../errors.js';

/** An answer the proxy writes itself. */
export interface ProxyAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Namespace of the `detail` the proxy puts in its own Faults. */
export const proxyFaultNamespace = 'urn:soap-balancer';

const envelopes = {
  '1.1': {
    namespace: 'http://schemas.xmlsoap.org/soap/envelope/',
    contentType: 'text/xml; charset=utf-8',
  },
  '1.2': {
    namespace: 'http://www.w3.org/2003/05/soap-envelope',
    contentType: 'application/soap+xml; charset=utf-8',
  },
} as const;

/**
 * The SOAP Fault that answers a call the proxy could not complete, in the request's SOAP version, so
 * that any SOAP client reports it as a Fault. Its status says what the caller may assume:
 * - `502` (`504` when the last attempt timed out): the call **may have run** on a server that then
 *   failed (reset, timeout, 502/504, a non-SOAP 5xx) and was not sent again (not idempotent, or no
 *   attempt left);
 * - `503`: no server ran it (none available, or each one refused it); safe to send again.
 * The faultstring starts with the error code and says which; the `detail` carries
 * `<sb:code>` and `<sb:mayHaveRun>` (namespace `urn:soap-balancer`), and so do the headers
 * `X-Soap-Balancer-Error` and `X-Soap-Balancer-May-Have-Run`.
 */
export function callFailedAnswer(error: unknown, soapVersion: '1.1' | '1.2'): ProxyAnswer {
  const code = isSoapBalancerError(error) ? error.code : 'SOAPBAL_PROXY_ERROR';
  const mayHaveRun = isSoapBalancerError(error) ? error.mayHaveRun : true;
  const message = error instanceof Error ? error.message : String(error);
  const timedOut = isSoapBalancerError(error) && error.attempts.at(-1)?.failure === 'timeout';
  const status = mayHaveRun ? (timedOut ? 504 : 502) : 503;
  const verdict = mayHaveRun
    ? 'The call MAY HAVE RUN on the server: check before sending it again.'
    : 'No server ran the call: it is safe to send again.';
  return soapFault(soapVersion, status, `${code}: ${message}. ${verdict}`, code, mayHaveRun);
}

function soapFault(
  soapVersion: '1.1' | '1.2',
  status: number,
  reason: string,
  code: string,
  mayHaveRun: boolean,
): ProxyAnswer {
  const envelope = envelopes[soapVersion];
  const detail = `<sb:code>${code}</sb:code><sb:mayHaveRun>${mayHaveRun}</sb:mayHaveRun>`;
  const text = escapeXml(reason);
  const fault =
    soapVersion === '1.1'
      ? `<soap:Fault><faultcode>soap:Server</faultcode><faultstring>${text}</faultstring>` +
        `<detail><sb:error xmlns:sb="${proxyFaultNamespace}">${detail}</sb:error></detail></soap:Fault>`
      : `<soap:Fault><soap:Code><soap:Value>soap:Receiver</soap:Value></soap:Code>` +
        `<soap:Reason><soap:Text xml:lang="en">${text}</soap:Text></soap:Reason>` +
        `<soap:Detail><sb:error xmlns:sb="${proxyFaultNamespace}">${detail}</sb:error></soap:Detail></soap:Fault>`;
  return {
    status,
    headers: {
      'content-type': envelope.contentType,
      'x-soap-balancer-error': code,
      'x-soap-balancer-may-have-run': String(mayHaveRun),
      ...(status === 503 ? { 'retry-after': '1' } : {}),
    },
    body: `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${envelope.namespace}"><soap:Body>${fault}</soap:Body></soap:Envelope>`,
  };
}

/** A plain-text answer for requests that are not SOAP calls (refused requests, document fetches). */
export function textAnswer(status: number, text: string, headers: Record<string, string> = {}): ProxyAnswer {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body: `${text}\n` };
}

/** What a failed document fetch is answered: 503 when no server could be asked, else 502. */
export function fetchFailedAnswer(error: unknown): ProxyAnswer {
  const noServer = isSoapBalancerError(error) && error.code === ErrorCode.NoServerAvailable;
  const message = error instanceof Error ? error.message : String(error);
  return textAnswer(noServer ? 503 : 502, `soap-balancer: ${message}`);
}

function escapeXml(text: string): string {
  return text.replace(/[&<>]/g, (character) =>
    character === '&' ? '&amp;' : character === '<' ? '&lt;' : '&gt;',
  );
}
