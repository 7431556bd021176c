import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Balancer } from '../balancer/balancer.js';
import type { BalancerEvents } from '../balancer/events.js';
import type { ServerInfo } from '../balancer/server-state.js';
import { ClientMetrics } from '../client/client-metrics.js';
import { encodePrometheusText } from '../metrics/encode.js';
import type { MetricFamily } from '../metrics/families.js';
import type { CallObserver } from '../observe/call-trace.js';
import type { StatusSource } from '../status/source.js';
import { statusSourceFor } from '../status/sources.js';
import { Attempts } from '../transport/attempts.js';
import { DocumentFetcher } from '../transport/document-fetch.js';
import { FailoverRunner } from '../transport/failover.js';
import { ProxyHandler } from './handler.js';
import { type NormalizedProxyOptions, normalizeProxyOptions, type ProxyOptions } from './options.js';
import { UpstreamPools } from './upstream.js';

/** A running proxy. */
export interface SoapProxy {
  /** The URL it listens on, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** The URL written into the WSDLs it serves (`publicUrl`, else `url`). */
  readonly publicUrl: string;
  /** A snapshot of every server's state, as `balancer.servers()` of a balanced client. */
  servers(): ServerInfo[];
  /**
   * This proxy's metrics now, as data (`soap_balancer_proxy_*`, each series labelled with the proxy's
   * `name`): the balanced client's metrics under the proxy's prefix. Counters count from the start.
   */
  metrics(): MetricFamily[];
  /** {@link metrics} in Prometheus' text format. */
  metricsText(): string;
  /** Subscribes to a balancer event (`failover`, `serverDown`, …; see `BalancerEvents`). */
  on<E extends keyof BalancerEvents>(event: E, listener: (...args: BalancerEvents[E]) => void): this;
  off<E extends keyof BalancerEvents>(event: E, listener: (...args: BalancerEvents[E]) => void): this;
  /**
   * Stops accepting connections, lets the calls in flight finish (up to `drainTimeoutMs`; those still
   * running then are cut), and closes every connection, timer and status request. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Starts the SOAP proxy: a process SOAP clients of any stack talk to instead of the service. It serves
 * the service's WSDLs and schemas with its own public URL in place of every service address, so
 * unchanged clients send every call to it, and it sends each call to a server picked by the same
 * Balancer, policies, health, status sources and failover rules as `createBalancedClient`.
 * @throws {TypeError | RangeError} (as a rejection) for invalid options, naming the option.
 * @throws {SoapBalancerError} when the status source is the only source of servers and fails at start.
 */
export async function createProxy(options: ProxyOptions): Promise<SoapProxy> {
  const config = normalizeProxyOptions(options);
  const balancer = new Balancer(config);
  const metrics = new ClientMetrics(config.name, balancer, Date.now, 'proxy');
  const statusSource = statusSourceFor(config, balancer) ?? config.statusSource?.(balancer);
  const attempts = new Attempts();
  const pools = new UpstreamPools();
  try {
    if (statusSource && !(await statusSource.start()) && balancer.urls.length === 0) {
      throw statusSource.lastError;
    }
    const server = createServer({
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      keepAliveTimeout: config.keepAliveTimeoutMs,
      // How often Node checks the two timeouts above: often enough that they hold to within a fraction.
      connectionsCheckingInterval: Math.max(
        50,
        Math.min(config.headersTimeoutMs, config.requestTimeoutMs) / 4,
      ),
    });
    const url = await listen(server, config.port, config.host);
    const publicUrl = config.publicUrl ?? url;
    const handler = new ProxyHandler({
      balancer,
      pools,
      calls: runner(config, balancer, attempts, statusSource, metrics, config.maxAttempts),
      streamedCalls: runner(config, balancer, attempts, statusSource, metrics, 1),
      fetches: new DocumentFetcher({
        balancer,
        attempts,
        maxAttempts: config.maxAttempts,
        budgetMs: config.fetchTimeoutMs,
        timeoutMs: config.timeoutMs,
        observer: metrics,
      }),
      publicUrl: new URL(publicUrl),
      isIdempotent: config.isIdempotent,
      maxBodyBytes: config.maxBodyBytes,
      replayBodyBytes: config.replayBodyBytes,
    });
    return new RunningProxy(server, url, publicUrl, handler, {
      balancer,
      attempts,
      pools,
      statusSource,
      metrics,
      drainTimeoutMs: config.drainTimeoutMs,
    });
  } catch (error: unknown) {
    attempts.close();
    statusSource?.close();
    pools.destroy();
    balancer.close();
    throw error;
  }
}

function runner(
  config: NormalizedProxyOptions,
  balancer: Balancer,
  attempts: Attempts,
  statusSource: StatusSource | undefined,
  observer: CallObserver,
  maxAttempts: number,
): FailoverRunner {
  return new FailoverRunner({
    balancer,
    attempts,
    maxAttempts,
    timeoutMs: config.timeoutMs,
    beforeCall: statusSource && (() => statusSource.beforeCall()),
    observer,
  });
}

interface Owned {
  readonly balancer: Balancer;
  readonly attempts: Attempts;
  readonly pools: UpstreamPools;
  readonly statusSource: StatusSource | undefined;
  readonly metrics: ClientMetrics;
  readonly drainTimeoutMs: number;
}

class RunningProxy implements SoapProxy {
  readonly url: string;
  readonly publicUrl: string;
  readonly #server: Server;
  readonly #owned: Owned;
  /** Requests being served; `close()` waits for them. */
  readonly #inFlight = new Set<ServerResponse>();
  #drained: (() => void) | undefined;
  #closing: Promise<void> | undefined;

  constructor(server: Server, url: string, publicUrl: string, handler: ProxyHandler, owned: Owned) {
    this.url = url;
    this.publicUrl = publicUrl;
    this.#server = server;
    this.#owned = owned;
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      this.#inFlight.add(response);
      response.once('close', () => {
        this.#inFlight.delete(response);
        if (this.#inFlight.size === 0) this.#drained?.();
      });
      // While draining, each answer is the connection's last.
      if (this.#closing !== undefined) response.setHeader('connection', 'close');
      handler.handle(request, response);
    });
    // CONNECT would make this an open proxy, and an upgrade a tunnel: refused.
    const refuse = (_request: IncomingMessage, socket: Socket) => {
      socket.on('error', () => {});
      socket.end('HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    };
    server.on('connect', refuse);
    server.on('upgrade', refuse);
    // As Node's own default, but always closing: a slow or malformed client gets its answer and goes.
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
      const status = clientErrorStatus[error.code ?? ''] ?? '400 Bad Request';
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroySoon();
    });
  }

  servers(): ServerInfo[] {
    return this.#owned.balancer.servers();
  }

  metrics(): MetricFamily[] {
    return this.#owned.metrics.families();
  }

  metricsText(): string {
    return encodePrometheusText(this.metrics());
  }

  on<E extends keyof BalancerEvents>(event: E, listener: (...args: BalancerEvents[E]) => void): this {
    this.#owned.balancer.on(event, listener);
    return this;
  }

  off<E extends keyof BalancerEvents>(event: E, listener: (...args: BalancerEvents[E]) => void): this {
    this.#owned.balancer.off(event, listener);
    return this;
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const server = this.#server;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    for (const response of this.#inFlight) {
      if (!response.headersSent) response.setHeader('connection', 'close');
    }
    if (this.#inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
        timer = setTimeout(resolve, this.#owned.drainTimeoutMs);
      });
      clearTimeout(timer);
    }
    const { attempts, statusSource, pools, balancer } = this.#owned;
    attempts.close();
    server.closeAllConnections();
    statusSource?.close();
    pools.destroy();
    balancer.close();
    await closed;
  }
}

const clientErrorStatus: Readonly<Record<string, string>> = {
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
};

function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`http://${shown}:${address.port}`);
    });
  });
}
