import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricFamily } from '../metrics/families.js';
import { serveMetrics } from '../metrics/serve.js';
import { sendText } from '../monitor/http-answers.js';

/** What the proxy's admin listener serves, asked at each request. */
export interface AdminSources {
  /** The families `/metrics` serves (the workers' are gathered over IPC, hence a promise). */
  readonly metrics: () => MetricFamily[] | Promise<MetricFamily[]>;
  /** Whether `/healthz` answers 200 (serving) or 503 (starting or draining). */
  readonly serving: () => boolean;
}

/** A running admin listener. */
export interface AdminServer {
  /** Its base URL, e.g. `http://127.0.0.1:9090`. */
  readonly url: string;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

/**
 * The proxy's admin listener: `GET /metrics` (Prometheus' text format) and `GET /healthz`, on a port of
 * its own because the proxy's port hands every GET to the servers (WSDLs and schemas may live at any
 * path, `/metrics` included), and so that metrics naming every server need not face the clients.
 */
export async function startAdminServer(
  port: number,
  host: string,
  sources: AdminSources,
): Promise<AdminServer> {
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 10_000 }, (request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (path !== '/metrics' && path !== '/healthz') return sendText(response, 404, 'not found\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return sendText(response, 405, 'method not allowed\n');
    }
    if (path === '/healthz') {
      return sources.serving() ? sendText(response, 200, 'ok\n') : sendText(response, 503, 'not serving\n');
    }
    Promise.resolve()
      .then(sources.metrics)
      .then(
        (families) => serveMetrics(request, response, () => families),
        (error: unknown) => sendText(response, 500, `${String(error)}\n`),
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      // Later errors concern one connection; the listener keeps serving the rest.
      server.on('error', () => {});
      resolve();
    });
  });
  const { address, port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
