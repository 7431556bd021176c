import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { listen } from 'soap';
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
  /** How many times each operation ran. */
  readonly calls: Record<string, number>;
  /** Changes how long each operation takes from now on. */
  setDelay(ms: number): void;
  /** Dies like a killed process: drops every connection at once and stops listening. */
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
  // Operations still sleeping; a killed server drops them, as a dead process would.
  const sleeping = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        sleeping.delete(timer);
        resolve();
      }, ms);
      sleeping.add(timer);
    });
  const dropSleeping = () => {
    for (const timer of sleeping) clearTimeout(timer);
    sleeping.clear();
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
    async ({ a, b }: { a: number; b: number }) => {
      calls[op] = (calls[op] ?? 0) + 1;
      if (delayMs > 0) await sleep(delayMs);
      return { result: compute(Number(a), Number(b)), server: name };
    };
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
  // Registered after node-soap's listener, so it sees every request, node-soap's included.
  http.on('request', ({ method = '', url = '', headers }: IncomingMessage) =>
    requests.push({ method, url, headers }),
  );

  return {
    name,
    url,
    wsdlUrl: `${url}${calculatorPath}?wsdl`,
    requests,
    calls,
    setDelay: (ms) => {
      delayMs = ms;
    },
    kill: () => {
      dropSleeping();
      http.closeAllConnections();
      http.close();
    },
    close: () =>
      new Promise<void>((resolve) => {
        dropSleeping();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
