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
  /** The answer's headers, where the failover runner reads the server's load (`endpoint-load-metrics`). */
  readonly headers: IncomingMessage['headers'];
  readonly response: IncomingMessage;
}

/** A server's base URL, parsed once: where its requests go, whatever path they carry. */
interface Target {
  readonly https: boolean;
  readonly hostname: string;
  readonly port: string;
  /** The base URL's own path, without its trailing `/` (`''` for a bare origin). */
  readonly prefix: string;
}

/** Parsed bases kept at most; more (a status source churning servers for months) starts afresh. */
const maxTargets = 1_000;

/**
 * Keep-alive connection pools to the servers, one agent per scheme: idle sockets are reused most
 * recently used first (the others time out and close), as the balanced client's own agents do.
 */
export class UpstreamPools {
  readonly #http = new HttpAgent({ keepAlive: true, scheduling: 'lifo', timeout: 5_000 });
  readonly #https = new HttpsAgent({ keepAlive: true, scheduling: 'lifo', timeout: 5_000 });
  readonly #targets = new Map<string, Target>();

  /**
   * Sends one request for `path` to the server at `base` and resolves at its response headers; its
   * body is the caller's to read or discard. The host and port are the base's, parsed once per
   * server (the path cannot name another host). Errors are Node's own (`ECONNREFUSED`, `ECONNRESET`,
   * …), which `classifyError` understands; a request whose socket stays silent for `timeoutMs` is
   * destroyed with `ETIMEDOUT` (the socket's own timer, refreshed, rather than a new one per request;
   * the attempt itself is settled on time by `Attempts`).
   * @param headers this request's own object (the caller's per-request copy): `content-length` is set on it.
   */
  send(
    base: string,
    path: string,
    method: string,
    headers: OutgoingHttpHeaders,
    body: RequestBody | undefined,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<UpstreamAnswer> {
    return new Promise((resolve, reject) => {
      const target = this.#target(base);
      if (body?.kind === 'buffered') headers['content-length'] = body.bytes.length;
      const options = {
        method,
        hostname: target.hostname,
        port: target.port,
        path: target.prefix === '' ? path : `${target.prefix}${path}`,
        headers,
        agent: target.https ? this.#https : this.#http,
        timeout: timeoutMs,
        ...(signal === undefined ? {} : { signal }),
      };
      const request = target.https ? httpsRequest(options) : httpRequest(options);
      request.once('timeout', () => {
        request.destroy(Object.assign(new Error(`No answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      });
      request.once('response', (response) => {
        // The socket goes back to the pool with the agent's idle timeout; until then the body is read.
        request.setTimeout(0);
        resolve({ status: response.statusCode ?? 502, headers: response.headers, response });
      });
      request.once('error', reject);
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

  #target(base: string): Target {
    let target = this.#targets.get(base);
    if (target === undefined) {
      const url = new URL(base);
      target = {
        https: url.protocol === 'https:',
        // `[::1]` in a URL, `::1` for a socket.
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port,
        prefix: url.pathname.replace(/\/$/, ''),
      };
      if (this.#targets.size >= maxTargets) this.#targets.clear();
      this.#targets.set(base, target);
    }
    return target;
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
