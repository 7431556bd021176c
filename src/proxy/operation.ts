import type { IncomingHttpHeaders } from 'node:http';

/** What the proxy reads of a SOAP request before it picks a server. */
export interface SoapRequestInfo {
  /** The operation's name (see {@link detectOperation}); `undefined` when nothing names it. */
  readonly operation: string | undefined;
  /** From the content type: `application/soap+xml` is SOAP 1.2, anything else 1.1. */
  readonly soapVersion: '1.1' | '1.2';
}

/** How far into a body the first element of the SOAP Body is looked for. */
const bodySearchBytes = 64 * 1024;
// The Body's start tag, then comments or whitespace, then the first element's (prefixed) name.
const firstBodyElement =
  /<(?:[A-Za-z_][\w.-]*:)?Body(?:\s[^>]*)?>(?:\s|<!--[\s\S]*?-->)*<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/;
const actionParameter = /(?:^|;)\s*action\s*=\s*(?:"([^"]*)"|([^;\s]+))/i;

/**
 * The operation of a SOAP request: from `SOAPAction` (SOAP 1.1), else the `action` parameter of the
 * content type (SOAP 1.2, also inside a `multipart/related` type), else the local name of the first
 * element of the Body (in the first 64 KiB of `body`). An action URI is reduced to its last segment,
 * after the last `/`, `#` or `:` (`http://example.com/calculator/Add` → `Add`, `urn:Calc#Add` → `Add`),
 * the operation name by the common conventions of SOAP stacks.
 */
export function detectOperation(headers: IncomingHttpHeaders, body: Buffer): SoapRequestInfo {
  const contentType = headers['content-type'] ?? '';
  const soapVersion = /application\/soap\+xml/i.test(contentType) ? '1.2' : '1.1';
  const soapAction = headerValue(headers.soapaction);
  const action =
    unquote(soapAction) ??
    unquote(
      actionParameter
        .exec(contentType)
        ?.slice(1)
        .find((v) => v !== undefined),
    );
  if (action !== undefined) return { operation: lastSegment(action), soapVersion };
  const text = body.toString('utf8', 0, Math.min(body.length, bodySearchBytes));
  return { operation: firstBodyElement.exec(text)?.[1], soapVersion };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The value without its quotes; `undefined` when empty (an empty SOAPAction names nothing). */
function unquote(value: string | undefined): string | undefined {
  // String operations, not regular expressions: this runs on every call.
  let text = value?.trim();
  if (text !== undefined && text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    text = text.slice(1, -1).trim();
  }
  return text === undefined || text === '' ? undefined : text;
}

function lastSegment(action: string): string {
  let end = action.length;
  while (end > 0 && isSeparator(action.charCodeAt(end - 1))) end--;
  let start = end;
  while (start > 0 && !isSeparator(action.charCodeAt(start - 1))) start--;
  return start === end ? action : action.slice(start, end);
}

/** `/`, `#` or `:`, which end an action URI's segments. */
function isSeparator(code: number): boolean {
  return code === 0x2f || code === 0x23 || code === 0x3a;
}
