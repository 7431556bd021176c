import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream';
import { ByteLimit, type RequestBody } from './request-body.js';

/** An upstream server's answer, its body still to be read. */
export interface UpstreamAnswer {
  readonly status: number;
  readonly response: IncomingMessage;
}

/**
 * Keep-alive connection pools to the servers, one agent per scheme: idle sockets are reused most
 * recently used first (the others time out and close), as the balanced client's own agents do.
 */
export class UpstreamPools {
  readonly #http = new HttpAgent({ keepAlive: true, scheduling: 'lifo', timeout: 5_000 });
  readonly #https = new HttpsAgent({ keepAlive: true, scheduling: 'lifo', timeout: 5_000 });

  /**
   * Sends one request to `url` and resolves at its response headers; its body is the caller's to
   * read or discard. Errors are Node's own (`ECONNREFUSED`, `ECONNRESET`, …), which `classifyError`
   * understands; a request unanswered after `timeoutMs` is destroyed with `ETIMEDOUT`.
   */
  send(
    url: string,
    method: string,
    headers: OutgoingHttpHeaders,
    body: RequestBody | undefined,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<UpstreamAnswer> {
    return new Promise((resolve, reject) => {
      const https = url.startsWith('https:');
      const outgoing = { ...headers };
      if (body?.kind === 'buffered') {
        outgoing['content-length'] = body.bytes.length;
      }
      const options = {
        method,
        headers: outgoing,
        agent: https ? this.#https : this.#http,
        ...(signal === undefined ? {} : { signal }),
      };
      const request = https ? httpsRequest(url, options) : httpRequest(url, options);
      const timer = setTimeout(() => {
        request.destroy(Object.assign(new Error(`No answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      }, timeoutMs);
      request.once('response', (response) => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 502, response });
      });
      request.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      if (body === undefined) request.end();
      else if (body.kind === 'buffered') request.end(body.bytes);
      else {
        request.write(body.head);
        // The body's bound is checked as it streams: beyond it the request fails (413 to the client).
        pipeline(body.rest, new ByteLimit(body.head.length, body.maxBytes), request, (error) => {
          if (error) request.destroy(error);
        });
      }
    });
  }

  /** Closes every pooled connection. */
  destroy(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

/** Reads a response body whole, up to `maxBytes` (then fails). */
export function readBody(response: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    response.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > maxBytes) {
        response.destroy(new Error(`The server's answer is larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    response.once('end', () => resolve(Buffer.concat(chunks, length)));
    response.once('error', reject);
    response.once('close', () => {
      if (!response.complete) reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    });
  });
}
