import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import type { TestContext } from 'node:test';
import {
  type CalculatorServer,
  type CalculatorServerOptions,
  startCalculatorServer,
} from '../../examples/calculator/server.js';

/** Starts `count` Calculator replicas on 127.0.0.1:0, stopped when the test ends. */
export async function startCalculators(
  t: TestContext,
  count: number,
  options: CalculatorServerOptions = {},
): Promise<CalculatorServer[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      startCalculatorServer({ name: `calc-${index + 1}`, ...options }),
    ),
  );
  t.after(() => Promise.all(servers.map((server) => server.close())));
  return servers;
}

export interface PlainServer {
  readonly url: string;
  /** How many HTTP requests (or, for a hanging server, connections) it received. */
  readonly hits: () => number;
}

/** An HTTP server answering every request with `handler`, stopped when the test ends. */
export async function startPlainServer(
  t: TestContext,
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<PlainServer> {
  let hits = 0;
  const server = createServer((request, response) => {
    hits++;
    handler(request, response);
  });
  const url = await listen(server);
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url, hits: () => hits };
}

/** A server that accepts connections, reads what is sent, and never answers. */
export async function startHangingServer(t: TestContext): Promise<PlainServer> {
  let hits = 0;
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    hits++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.resume();
  });
  const url = await listen(server);
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url, hits: () => hits };
}

/** A base URL on which nothing listens (connections are refused). */
export async function refusedUrl(): Promise<string> {
  const server = createTcpServer();
  const url = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return url;
}

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}
