import type { IncomingMessage } from 'node:http';
import { gzipSync } from 'node:zlib';

/** Compressed bodies by body: a published snapshot is compressed once, however many pollers ask. */
const compressed = new WeakMap<Buffer, Buffer | null>();

/**
 * Whether the request accepts a gzip-coded answer: `Accept-Encoding` names `gzip` (or `*`) with a
 * quality above 0 (RFC 9110 12.5.3). `gzip;q=0` refuses it.
 */
export function acceptsGzip(request: IncomingMessage): boolean {
  const header = request.headers['accept-encoding'];
  if (header === undefined) return false;
  let wildcard = false;
  for (const item of header.split(',')) {
    const [coding = '', ...parameters] = item.split(';').map((part) => part.trim().toLowerCase());
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    const accepted = q === undefined || Number(q.slice(2)) > 0;
    if (coding === 'gzip' || coding === 'x-gzip') return accepted;
    if (coding === '*') wildcard = accepted;
  }
  return wildcard;
}

/** `body` gzipped, or `undefined` when that is not smaller (tiny bodies). Cached per body. */
export function gzipped(body: Buffer): Buffer | undefined {
  let result = compressed.get(body);
  if (result === undefined) {
    const zipped = gzipSync(body);
    result = zipped.length < body.length ? zipped : null;
    compressed.set(body, result);
  }
  return result ?? undefined;
}
