// A node-soap Work replica with a fixed number of slots: each call sleeps `ms × mult` in one of
// `capacity` slots, later calls wait their turn (FIFO), and the replica reports its load like a real one
// would, so that the monitor, HAProxy's checks and the balancer all see the same busyness.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { listen } from 'soap';
import { Limiter } from '../../examples/calculator/limiter.js';
import { attachLoadReporter } from '../../src/index.js';
import { workPath, workWsdl } from './work-wsdl.js';

export interface WorkServerOptions {
  readonly name: string;
  /** How much slower than asked each call is: a call `Work(50)` takes `50 × mult` ms in its slot. */
  readonly mult: number;
  /** @default 4 */
  readonly capacity?: number;
  /** @default 0 (any free port) */
  readonly port?: number;
}

export interface WorkServer {
  readonly name: string;
  readonly url: string;
  readonly wsdlUrl: string;
  close(): Promise<void>;
}

export async function startWorkServer(options: WorkServerOptions): Promise<WorkServer> {
  const capacity = options.capacity ?? 4;
  const limiter = new Limiter(capacity);
  const http = createServer((_request, response) => response.writeHead(404).end());
  await new Promise<void>((resolve) => http.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const work = async ({ ms }: { ms: number }) => {
    const arrived = performance.now();
    return limiter.run(async () => {
      // The queue wait alone: how long this call sat behind others on this replica.
      const waitedMs = performance.now() - arrived;
      await sleep(Number(ms) * options.mult);
      return { server: options.name, waitedMs: Math.round(waitedMs * 100) / 100 };
    });
  };
  const services = { WorkService: { WorkSoap: { Work: work } } };
  await new Promise<void>((resolve, reject) => {
    listen(http, {
      path: workPath,
      services,
      xml: workWsdl(`${url}${workPath}`),
      callback: (error: unknown) => (error ? reject(error) : resolve()),
    });
  });
  // Only after node-soap's callback: it takes over the request listeners then, and the reporter must
  // wrap node-soap's listener to count the SOAP calls.
  attachLoadReporter(http, { capacity, queued: () => limiter.queued });

  return {
    name: options.name,
    url,
    wsdlUrl: `${url}${workPath}?wsdl`,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}
