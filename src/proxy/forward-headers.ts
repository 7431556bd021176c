import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never forwarded; `expect`
// is answered by the proxy itself, and `host` is the upstream server's own.
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'host',
]);

/** The headers of `headers` that pass a proxy: hop-by-hop ones and those `Connection` names dropped. */
export function endToEndHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  // Runs twice per call: no list is made unless `Connection` names more than keep-alive or close.
  const connection = headers.connection;
  const named =
    connection === undefined || /^\s*(?:keep-alive|close)\s*$/i.test(connection)
      ? undefined
      : connection
          .toLowerCase()
          .split(',')
          .map((name) => name.trim());
  const result: OutgoingHttpHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || hopByHop.has(name) || named?.includes(name)) continue;
    result[name] = value;
  }
  return result;
}

/** Who asked, as the proxy saw it: the client's address and the public URL it reached the proxy at. */
export interface ForwardedFor {
  readonly clientAddress: string | undefined;
  readonly publicUrl: URL;
}

/**
 * The request headers for the upstream server: end-to-end headers, with the client's address appended
 * to `X-Forwarded-For` and a `Forwarded` element (RFC 7239) for this hop. The public host and scheme
 * come from the proxy's own public URL, never from the client's `Host`.
 */
export function upstreamRequestHeaders(
  headers: IncomingHttpHeaders,
  from: ForwardedFor,
): OutgoingHttpHeaders {
  const result = endToEndHeaders(headers);
  const client = from.clientAddress ?? 'unknown';
  const previous = headers['x-forwarded-for'];
  result['x-forwarded-for'] = previous === undefined ? client : `${previous}, ${client}`;
  const node = client.includes(':') ? `"[${client}]"` : client;
  const element = `for=${node};host="${from.publicUrl.host}";proto=${from.publicUrl.protocol.slice(0, -1)}`;
  result.forwarded = headers.forwarded === undefined ? element : `${headers.forwarded}, ${element}`;
  result['x-forwarded-proto'] = from.publicUrl.protocol.slice(0, -1);
  result['x-forwarded-host'] = from.publicUrl.host;
  return result;
}
