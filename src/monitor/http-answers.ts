import type { IncomingMessage, ServerResponse } from 'node:http';
import { acceptsGzip, gzipped } from './compression.js';

/** A plain-text answer (errors, `/healthz`); no body for HEAD. */
export function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(response.req.method === 'HEAD' ? undefined : text);
}

/** A 200 JSON answer, gzipped when the client accepts it and that makes it smaller; no body for HEAD. */
export function sendJson(request: IncomingMessage, response: ServerResponse, body: Buffer): void {
  const zipped = acceptsGzip(request) ? gzipped(body) : undefined;
  response.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': (zipped ?? body).length,
    'X-Content-Type-Options': 'nosniff',
    ...(zipped ? { 'Content-Encoding': 'gzip' } : {}),
  });
  response.end(request.method === 'HEAD' ? undefined : (zipped ?? body));
}
