import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { TestContext } from 'node:test';
import { type PlainServer, startPlainServer } from './servers.js';

/** What a faulty front does with the backend's real answer, after the backend ran the call. */
export type Fault =
  /** Answer this status and body instead (a gateway's 502/504, a proxy's HTML 500). */
  | {
      readonly kind: 'replace';
      readonly status: number;
      readonly body: string;
      readonly headers?: Record<string, string>;
    }
  /** Send the headers and half the body, then close (FIN) or destroy (RST, a dying process) the socket. */
  | { readonly kind: 'cut'; readonly how: 'fin' | 'destroy' }
  /** Send nothing at all: reset the connection (RST) once the backend has run the call. */
  | { readonly kind: 'drop' };

/**
 * A server in front of a real replica that forwards every POST there (so the call really runs) and
 * then spoils the answer; GETs (the WSDL) pass through untouched. It stands for a gateway, a proxy or a
 * server that dies mid-answer, the cases where a caller cannot know whether its call ran.
 */
export async function startFaultyFront(
  t: TestContext,
  backendUrl: string,
  fault: Fault,
): Promise<PlainServer> {
  return startPlainServer(t, (request, response) => {
    forward(backendUrl, request, (answer, body) => {
      if (request.method !== 'POST') {
        response.writeHead(answer.statusCode ?? 502, answer.headers).end(body);
        return;
      }
      spoil(response, answer, body, fault);
    });
  });
}

function forward(
  backendUrl: string,
  request: IncomingMessage,
  done: (answer: IncomingMessage, body: Buffer) => void,
): void {
  const target = new URL(request.url ?? '/', backendUrl);
  const outgoing = httpRequest(target, { method: request.method, headers: request.headers }, (answer) => {
    const chunks: Buffer[] = [];
    answer.on('data', (chunk: Buffer) => chunks.push(chunk));
    answer.on('end', () => done(answer, Buffer.concat(chunks)));
  });
  outgoing.on('error', () => request.socket.destroy());
  request.pipe(outgoing);
}

function spoil(response: ServerResponse, answer: IncomingMessage, body: Buffer, fault: Fault): void {
  if (fault.kind === 'drop') {
    response.socket?.resetAndDestroy();
    return;
  }
  if (fault.kind === 'replace') {
    response.writeHead(fault.status, { 'Content-Type': 'text/html', ...fault.headers }).end(fault.body);
    return;
  }
  response.writeHead(answer.statusCode ?? 200, {
    'Content-Type': answer.headers['content-type'] ?? 'text/xml',
    'Content-Length': body.length,
  });
  response.write(body.subarray(0, body.length >> 1), () => {
    if (fault.how === 'fin') response.socket?.end();
    else response.socket?.destroy();
  });
}
