import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { Server as NetServer } from 'node:net';
import { ErrorCode, SoapBalancerError } from '../errors.js';
import { ReporterEtcdPublisher } from '../etcd/reporter-publisher.js';
import { encodePrometheusText } from '../metrics/encode.js';
import type { MetricFamily } from '../metrics/families.js';
import { serveMetrics } from '../metrics/serve.js';
import { sampleEventLoopDelay } from './event-loop-delay.js';
import { formatLoadMetrics, loadMetricsHeader } from './orca.js';
import { replicaMetricFamilies } from './replica-metrics.js';
import { checkedQueued, type LoadReporterOptions, normalizeReporterOptions } from './reporter-options.js';
import { type LoadReport, loadReportVersion } from './schema.js';

export type { LoadReporterOptions, ReporterEtcdOptions } from './reporter-options.js';

/** A load reporter attached to a server by {@link attachLoadReporter}. */
export interface LoadReporter {
  /**
   * The figures now, as the report path would answer them. Like every report, it closes the
   * event-loop-delay period: the next report's delay covers the time from this one on.
   * @throws {TypeError} when the `queued` option returns something other than an integer >= 0.
   */
  report(): LoadReport;
  /**
   * The replica's metrics now (`soap_balancer_replica_*`), as data; what `metricsPath` serves. Unlike
   * `report()`, leaves the event-loop-delay period alone.
   * @throws {TypeError} when the `queued` option returns something other than an integer >= 0.
   */
  metrics(): MetricFamily[];
  /** {@link metrics} in Prometheus' text format. */
  metricsText(): string;
  /**
   * With the `etcd` option: marks the server `draining` in etcd now (balanced clients give it no new
   * calls); resolves once written. Without it, resolves at once.
   */
  drain(): Promise<void>;
  /**
   * Puts the server's previous `'request'` listeners back where the reporter's listener was (listeners
   * added since stay) and stops sampling the event loop; with the `etcd` option, also removes the
   * server's key (the promise resolves once that is done). Idempotent.
   */
  close(): Promise<void>;
}

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/** Servers with a reporter attached: a second one would count every request twice. */
const attached = new WeakSet<NetServer>();

/**
 * Makes a server report its own busyness at `options.path` (`/soap-balancer/load`), the way HAProxy's
 * agent-check or gRPC's ORCA do, so that a balancer can prefer the least busy replica.
 *
 * Call it **after** node-soap's `listen()` has called back (its WSDL is then ready): node-soap replaces
 * the server's `'request'` listeners at that moment and only passes on the requests for other paths, so
 * a reporter attached earlier would not see the SOAP requests (a warning says so at the first report).
 * The reporter takes the server's `'request'` listeners and installs one in their place that:
 * - answers `GET`/`HEAD` on the path with the {@link LoadReport} as JSON (`Cache-Control: no-store`),
 *   and any other method with 405; none of these requests count;
 * - counts every other request as in flight from its arrival until its response closes (also when the
 *   client aborts), and as served once its response has finished, then hands it to the previous
 *   listeners in their order;
 * - unless `loadHeader` is `false`, adds to each of those responses an `endpoint-load-metrics` header
 *   (ORCA TEXT: `application_utilization` = the other requests outstanding per slot, without the
 *   event-loop delay, which only the report path measures), so a balanced client knows the load at once.
 *
 * In the report, `queued` is what the `queued` option returns (requests waiting in the application's
 * own queue), and `inFlight` is the HTTP requests in flight minus `queued` (never below 0): the requests
 * being served. With a limiter of 2 slots and 5 requests in, that is `inFlight: 2, queued: 3`.
 * `eventLoopDelayMs` is the p99 event-loop delay since the previous report (of either kind), and
 * `uptimeMs` the time since the reporter was attached, like `served`.
 *
 * @throws {TypeError | RangeError} for an invalid option, naming it and the value received.
 * @throws {SoapBalancerError} code `SOAPBAL_REPORTER_ATTACHED` when a reporter is already attached to this
 * server (and not closed).
 */
export function attachLoadReporter(
  server: HttpServer | HttpsServer,
  options: LoadReporterOptions = {},
): LoadReporter {
  if (!(server instanceof NetServer)) throw new TypeError('Expected `server` to be an http or https server');
  const { path, metricsPath, capacity, queued, loadHeader, now, etcd } = normalizeReporterOptions(options);
  if (attached.has(server)) {
    throw new SoapBalancerError(
      ErrorCode.ReporterAttached,
      'A load reporter is already attached to this server',
    );
  }
  attached.add(server);

  const previous = server.rawListeners('request') as RequestListener[];
  const startedAt = now();
  const eventLoopDelay = sampleEventLoopDelay();
  let httpInFlight = 0;
  let served = 0;
  let closed = false;
  let warnedDisplaced = false;

  /** The request counts as reported: HTTP requests in flight less those the application queues. */
  const requests = (): { inFlight: number; queued: number } => {
    const waiting = checkedQueued(queued());
    return { inFlight: Math.max(0, httpInFlight - waiting), queued: waiting };
  };

  const report = (): LoadReport => ({
    version: loadReportVersion,
    ...requests(),
    capacity,
    served,
    eventLoopDelayMs: eventLoopDelay.takeP99Ms(),
    uptimeMs: Math.max(0, now() - startedAt),
  });

  const metrics = (): MetricFamily[] => replicaMetricFamilies({ ...requests(), capacity, served });

  const forward: RequestListener = (request, response) => {
    // With the server as `this`, as the EventEmitter would have called them.
    for (const handle of previous) handle.call(server, request, response);
  };

  const serveReport = (request: IncomingMessage, response: ServerResponse): void => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response
        .writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' })
        .end('Method Not Allowed\n');
      return;
    }
    if (!warnedDisplaced && !server.rawListeners('request').includes(listener)) {
      warnedDisplaced = true;
      process.emitWarning(
        'The load reporter was attached before another request listener took over the server ' +
          "(was it attached before node-soap's listen() called back?): that listener's requests are not counted",
        { code: 'SOAPBAL_LOAD_REPORTER_DISPLACED' },
      );
    }
    let body: string;
    try {
      body = JSON.stringify(report());
    } catch (error) {
      // A broken `queued` callback must not crash the server from a probe; the prober treats 500 as "no report".
      response.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${String(error)}\n`);
      return;
    }
    response
      .writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
      })
      .end(body);
  };

  // Set as the head is written (explicitly or implicitly, Node calls writeHead either way), so the
  // load is the server's at that moment, this response's own request excluded.
  const stampLoadOnHead = (response: ServerResponse): void => {
    const writeHead = response.writeHead;
    response.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      if (!this.headersSent && !this.hasHeader(loadMetricsHeader)) {
        this.setHeader(loadMetricsHeader, formatLoadMetrics(Math.max(0, httpInFlight - 1), capacity));
      }
      return (writeHead as (...args: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse['writeHead'];
  };

  const listener: RequestListener = (request, response) => {
    // Closed but still called: another listener took ours over and cannot be undone, so step aside.
    if (!closed && pathOf(request.url) === path) {
      serveReport(request, response);
      return;
    }
    if (!closed && metricsPath !== false && pathOf(request.url) === metricsPath) {
      serveMetrics(request, response, metrics);
      return;
    }
    if (!closed) {
      httpInFlight++;
      if (loadHeader) stampLoadOnHead(response);
      response.once('finish', () => served++);
      response.once('close', () => httpInFlight--);
    }
    forward(request, response);
  };

  server.removeAllListeners('request');
  server.on('request', listener);
  const publisher = etcd && new ReporterEtcdPublisher(etcd, report);
  if (publisher) server.once('close', () => void publisher.close());

  return {
    report,
    metrics,
    metricsText: () => encodePrometheusText(metrics()),
    drain: async () => publisher?.drain(),
    close: () => {
      const removed = publisher?.close() ?? Promise.resolve();
      if (closed) return removed;
      closed = true;
      eventLoopDelay.stop();
      attached.delete(server);
      const current = server.rawListeners('request') as RequestListener[];
      const index = current.indexOf(listener);
      if (index === -1) return removed;
      server.removeAllListeners('request');
      for (const handle of [...current.slice(0, index), ...previous, ...current.slice(index + 1)]) {
        server.on('request', handle);
      }
      return removed;
    },
  };
}

function pathOf(url = ''): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
