import type { IncomingHttpHeaders } from 'node:http';
import { ErrorCode, isSoapBalancerError } from '../errors.js';
import { rewriteWsdl } from '../wsdl/rewrite.js';

/**
 * A document served through the proxy, as its clients are to see it: a WSDL or schema (XML with a
 * `definitions` or `schema` root) has every service address and every import on a pool server moved
 * to the proxy's public URL, with the original path, by the balanced client's own rewrite; anything
 * else (an HTML page, JSON, a health check) passes untouched.
 * @throws {SoapBalancerError} `SOAPBAL_WSDL_UNSAFE` for an XML document with a DOCTYPE or entity declaration.
 */
export function documentForClients(
  body: Buffer,
  headers: IncomingHttpHeaders,
  path: string,
  publicUrl: string,
  servers: readonly string[],
): Buffer {
  if (!looksLikeXml(headers['content-type'], body)) return body;
  try {
    const { xml } = rewriteWsdl(body.toString('utf8'), {
      endpoint: publicUrl,
      servers,
      source: `GET ${path}`,
      baseUrl: `${publicUrl}${path}`,
    });
    return Buffer.from(xml, 'utf8');
  } catch (error: unknown) {
    if (isSoapBalancerError(error) && error.code === ErrorCode.WsdlInvalid) return body;
    throw error;
  }
}

function looksLikeXml(contentType: string | undefined, body: Buffer): boolean {
  if (contentType !== undefined) return /xml/i.test(contentType);
  return /^\s*</.test(body.toString('utf8', 0, 64).replace(/^\uFEFF/, ''));
}
