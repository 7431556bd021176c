import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodePrometheusText, prometheusContentType } from './encode.js';
import type { MetricFamily } from './families.js';

/**
 * Answers a scrape: `GET` (or `HEAD`) with the families in Prometheus' text format, never cached;
 * any other method with 405; 500 when the families cannot be read.
 */
export function serveMetrics(
  request: IncomingMessage,
  response: ServerResponse,
  families: () => readonly MetricFamily[],
): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response
      .writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' })
      .end('method not allowed\n');
    return;
  }
  let body: Buffer;
  try {
    body = Buffer.from(encodePrometheusText(families()));
  } catch (error: unknown) {
    // A failing application callback (a load reporter's `queued`) must not crash the server from a scrape.
    response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${String(error)}\n`);
    return;
  }
  response.writeHead(200, {
    'Content-Type': prometheusContentType,
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}
