import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricFamily } from '../metrics/families.js';
import { serveMetrics } from '../metrics/serve.js';
import { isDashboardPath, serveDashboard } from './dashboard-routes.js';
import type { MonitorHistory } from './history.js';
import { sendText as end, sendJson } from './http-answers.js';
import type { PublishedSnapshot } from './snapshot.js';

export interface StatusServerOptions {
  readonly port: number;
  readonly host: string;
  /** Bearer token `/status` and `/metrics` require; `undefined`: none. */
  readonly token: string | undefined;
  /** The snapshot to serve, asked at each request. */
  readonly snapshot: () => PublishedSnapshot;
  /** The metric families `/metrics` serves, asked at each scrape. */
  readonly metrics: () => readonly MetricFamily[];
  /** The rounds the dashboard charts, asked at each of its requests. */
  readonly history: () => MonitorHistory;
}

/** A running status API. */
export interface StatusServer {
  /** The `/status` URL, e.g. `http://127.0.0.1:8700/status`. */
  readonly url: string;
  /** Stops listening and drops every connection, kept-alive ones included. */
  close(): Promise<void>;
}

const allow = 'GET, HEAD';

/**
 * Serves `GET /status` (the snapshot, with an ETag so that a poller whose copy is current gets a body-less
 * 304, gzipped for a client that accepts it), `GET /metrics` (Prometheus' text format; it names every
 * server, so it takes the same token as `/status`), `GET /healthz` (the monitor itself is alive; never
 * authenticated, for orchestrators) and the dashboard (`GET /`, see `dashboard-routes.ts`).
 */
export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const expected = options.token === undefined ? undefined : digest(options.token);
  // Requests are tiny: a client slower than this is broken or hostile, and must not hold a socket long.
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 10_000 }, (request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    const admitted = () => expected === undefined || authorized(request, expected) || refuse(response);
    if (isDashboardPath(path)) return serveDashboard(request, response, path, { ...options, admitted });
    if (path !== '/status' && path !== '/healthz' && path !== '/metrics')
      return end(response, 404, 'not found\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', allow);
      return end(response, 405, 'method not allowed\n');
    }
    if (path === '/healthz') return end(response, 200, 'ok');
    if (!admitted()) return;
    if (path === '/metrics') return serveMetrics(request, response, options.metrics);
    serveSnapshot(request, response, options.snapshot());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      // Later errors (e.g. EMFILE on accept) concern one connection; the API must keep serving the rest.
      server.on('error', () => {});
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/status`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function serveSnapshot(
  request: IncomingMessage,
  response: ServerResponse,
  published: PublishedSnapshot,
): void {
  response.setHeader('ETag', published.etag);
  // Clients must revalidate every time: a stale view would send calls to a dead server.
  response.setHeader('Cache-Control', 'no-cache');
  response.setHeader('Vary', 'Accept-Encoding');
  if (matches(request.headers['if-none-match'], published.etag)) {
    response.writeHead(304).end();
    return;
  }
  sendJson(request, response, published.body);
}

/** Answers 401, and returns false (nothing more is to be sent). */
function refuse(response: ServerResponse): false {
  response.setHeader('WWW-Authenticate', 'Bearer realm="soap-balancer"');
  end(response, 401, 'unauthorized\n');
  return false;
}

/** `If-None-Match` lists tags (weak or strong, compared weakly as RFC 9110 says for GET) or `*`. */
function matches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || opaque(trimmed) === opaque(etag);
  });
}

function authorized(request: IncomingMessage, expected: Buffer): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
  if (!match?.[1]) return false;
  // Digests have equal lengths whatever was sent, so timingSafeEqual leaks neither content nor length.
  return timingSafeEqual(digest(match[1]), expected);
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
