import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { listen } from 'soap';
import {
  attachLoadReporter,
  type LoadReporter,
  type ReporterEtcdOptions,
} from '../../src/load-report/reporter.js';
import { Gate, Limiter, Sleeper } from './limiter.js';
import { calculatorSchema, calculatorWsdl } from './wsdl.js';

export interface CalculatorServerOptions {
  /** Returned in every answer's `server` field, so a caller can see who served it. @default `calc-<port>` */
  readonly name?: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Serve the schema as `calculator.xsd`, imported by the WSDL through a relative location. */
  readonly externalSchema?: boolean;
  /** How long each operation takes, in milliseconds. @default 0 */
  readonly delayMs?: number;
  /** At most this many operations run at once; further calls wait their turn. @default unlimited */
  readonly capacity?: number;
  /**
   * Serve a load report at `/soap-balancer/load`, with `capacity` as capacity and the calls waiting
   * for a slot as `queued`; with `{ etcd }`, also published in etcd (the server's own URL filled in).
   * @default false
   */
  readonly loadReport?: boolean | { readonly etcd: Omit<ReporterEtcdOptions, 'url'> };
  /** With `loadReport`, also serve the replica's Prometheus metrics at this path (e.g. `/metrics`). */
  readonly metricsPath?: string;
  /**
   * Serve HTTPS with this key and certificate, and require a client certificate signed by `ca`.
   * Not supported together with `externalSchema`.
   */
  readonly tls?: {
    readonly key: string | Buffer;
    readonly cert: string | Buffer;
    readonly ca: string | Buffer;
  };
}

/** An HTTP request as a Calculator server received it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** A running Calculator replica. */
export interface CalculatorServer {
  readonly name: string;
  /** Base URL, e.g. `http://127.0.0.1:40123` (`https://` with `tls`). */
  readonly url: string;
  readonly wsdlUrl: string;
  /** Every HTTP request received, in order. */
  readonly requests: ReceivedRequest[];
  /** How many times each operation started (after waiting for a slot and for holds). */
  readonly calls: Record<string, number>;
  /** Calls waiting for a slot (see `capacity`). */
  readonly queued: number;
  /** Calls that have a slot but wait for `hold()` to be released. */
  readonly held: number;
  /** The load reporter (`loadReport`), else `undefined`. */
  readonly loadReporter: LoadReporter | undefined;
  /** Changes how long each operation takes from now on (from when it starts, for the calls waiting). */
  setDelay(ms: number): void;
  /**
   * Makes the server deterministically busy: until the returned function is called, every call that
   * gets a slot keeps it and waits, counted in `held`. Calls already running are not affected.
   */
  hold(): () => void;
  /** Dies like a killed process: drops every connection and every waiting call at once, stops listening. */
  kill(): void;
  /** Stops, like `kill()`, and resolves once the server is closed. */
  close(): Promise<void>;
}

export const calculatorPath = '/calculator';

/** Starts a node-soap Calculator server (see `wsdl.ts`) on `host:port`. */
export async function startCalculatorServer(
  options: CalculatorServerOptions = {},
): Promise<CalculatorServer> {
  const requests: ReceivedRequest[] = [];
  const calls: Record<string, number> = {};
  let delayMs = options.delayMs ?? 0;
  // Every wait an operation may be in; a killed server drops them all, as a dead process would.
  const sleeper = new Sleeper();
  const limiter = new Limiter(options.capacity ?? Number.POSITIVE_INFINITY);
  const gate = new Gate();
  let loadReporter: LoadReporter | undefined;
  const stop = () => {
    loadReporter?.close();
    limiter.drop();
    gate.drop();
    sleeper.drop();
  };

  // node-soap hands over the requests for paths other than its own.
  const otherPaths = (request: IncomingMessage, response: ServerResponse) => {
    if (options.externalSchema && request.url === '/calculator.xsd') {
      response.writeHead(200, { 'Content-Type': 'text/xml' }).end(calculatorSchema);
      return;
    }
    response.writeHead(404).end();
  };
  const http = options.tls
    ? createHttpsServer({ ...options.tls, requestCert: true, rejectUnauthorized: true }, otherPaths)
    : createServer(otherPaths);
  await new Promise<void>((resolve) => http.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { address, port } = http.address() as AddressInfo;
  const url = `${options.tls ? 'https' : 'http'}://${address}:${port}`;
  const name = options.name ?? `calc-${port}`;

  const operation =
    (op: string, compute: (a: number, b: number) => number) =>
    ({ a, b }: { a: number; b: number }) =>
      limiter.run(async () => {
        await gate.pass();
        calls[op] = (calls[op] ?? 0) + 1;
        if (delayMs > 0) await sleeper.sleep(delayMs);
        return { result: compute(Number(a), Number(b)), server: name };
      });
  const divide = (a: number, b: number): number => {
    if (b === 0)
      throw { Fault: { faultcode: 'soap:Client', faultstring: 'Division by zero', statusCode: 500 } };
    return Math.trunc(a / b);
  };
  const port_ = { Add: operation('Add', (a, b) => a + b), Divide: operation('Divide', divide) };
  const services = { CalculatorService: { CalculatorSoap: port_, CalculatorSoap12: port_ } };
  const xml = calculatorWsdl({
    address: `${url}${calculatorPath}`,
    externalSchema: options.externalSchema ?? false,
  });
  await new Promise<void>((resolve, reject) => {
    // `uri` lets node-soap resolve the WSDL's relative schema import (served above) on the server side too.
    listen(http, {
      path: calculatorPath,
      services,
      xml,
      uri: `${url}${calculatorPath}?wsdl`,
      callback: (error: unknown) => (error ? reject(error) : resolve()),
    });
  });
  // Only now: node-soap replaced the server's request listeners when it called back.
  if (options.loadReport) {
    const capacity = options.capacity === undefined ? {} : { capacity: options.capacity };
    const metrics = options.metricsPath === undefined ? {} : { metricsPath: options.metricsPath };
    const etcd = typeof options.loadReport === 'object' ? { etcd: { ...options.loadReport.etcd, url } } : {};
    loadReporter = attachLoadReporter(http, {
      ...etcd,
      ...capacity,
      ...metrics,
      queued: () => limiter.queued,
    });
  }
  // Registered after node-soap's listener and the reporter's, so it sees every request, theirs included.
  http.on('request', ({ method = '', url = '', headers }: IncomingMessage) =>
    requests.push({ method, url, headers }),
  );

  return {
    name,
    url,
    wsdlUrl: `${url}${calculatorPath}?wsdl`,
    requests,
    calls,
    get queued() {
      return limiter.queued;
    },
    get held() {
      return gate.held;
    },
    loadReporter,
    setDelay: (ms) => {
      delayMs = ms;
    },
    hold: () => gate.hold(),
    kill: () => {
      stop();
      http.closeAllConnections();
      http.close();
    },
    close: () =>
      new Promise<void>((resolve) => {
        stop();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
