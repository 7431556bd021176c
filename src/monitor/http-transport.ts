import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';

/** One HTTP answer to a probe. */
export interface ProbeAnswer {
  readonly status: number;
  /** The body, at most {@link maxProbeBodyBytes}; cut there when `truncated`. */
  readonly body: Buffer;
  readonly truncated: boolean;
  /** Time from sending the request to the response headers (time to first byte), ms. */
  readonly latencyMs: number;
}

/** Performs a probe's GET. Rejects on connection errors and when no full answer came in `timeoutMs`. */
export interface ProbeTransport {
  get(url: URL, timeoutMs: number): Promise<ProbeAnswer>;
}

/** A probe reads no more than this: a load report is tiny, and a health check needs only the status. */
export const maxProbeBodyBytes = 64 * 1024;

const headers = { accept: 'application/json, */*;q=0.1', 'user-agent': 'soap-balancer-monitor' };

/**
 * GETs over keep-alive agents: with one connection per server reused round after round, a probe
 * costs one request, not a TCP (and TLS) handshake, which is what lets one monitor watch 1,000
 * servers every second.
 */
export class HttpProbeTransport implements ProbeTransport {
  readonly #http = new HttpAgent({ keepAlive: true, scheduling: 'lifo' });
  readonly #https = new HttpsAgent({ keepAlive: true, scheduling: 'lifo' });
  /** Probes in flight, each with the function that settles it, so that `destroy()` can end them all. */
  readonly #inFlight = new Map<ClientRequest, (error: Error) => void>();
  #destroyed = false;

  get(url: URL, timeoutMs: number): Promise<ProbeAnswer> {
    if (this.#destroyed) return Promise.reject(new Error('The probe transport is closed'));
    return new Promise((resolve, reject) => {
      const started = performance.now();
      let request: ClientRequest | undefined;
      let settled = false;
      const settle = (error: Error | undefined, answer?: ProbeAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (request) this.#inFlight.delete(request);
        if (error) {
          request?.destroy();
          reject(error);
        } else resolve(answer as ProbeAnswer);
      };
      const timer = setTimeout(() => {
        settle(Object.assign(new Error(`No answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      }, timeoutMs);
      const send = (retry: boolean) => {
        const current = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
          agent: url.protocol === 'https:' ? this.#https : this.#http,
          headers,
        });
        request = current;
        this.#inFlight.set(current, settle);
        current.once('response', (response) => readAnswer(response, started, settle));
        current.on('error', (error: NodeJS.ErrnoException) => {
          if (current !== request) return;
          // A kept-alive connection the server closed just as it was reused: retry once on a new
          // one, as Node's documentation advises, rather than count the server as failing.
          if (retry && current.reusedSocket && error.code === 'ECONNRESET' && !this.#destroyed && !settled) {
            this.#inFlight.delete(current);
            send(false);
          } else settle(error);
        });
        current.end();
      };
      send(true);
    });
  }

  /** Ends the probes in flight (they reject) and closes every connection. */
  destroy(): void {
    this.#destroyed = true;
    for (const settle of [...this.#inFlight.values()]) settle(new Error('The probe transport is closed'));
    this.#http.destroy();
    this.#https.destroy();
  }
}

function readAnswer(
  response: IncomingMessage,
  started: number,
  settle: (error: Error | undefined, answer?: ProbeAnswer) => void,
): void {
  const latencyMs = performance.now() - started;
  const chunks: Buffer[] = [];
  let size = 0;
  const answer = (truncated: boolean): ProbeAnswer => ({
    status: response.statusCode ?? 0,
    body: Buffer.concat(chunks),
    truncated,
    latencyMs,
  });
  response.on('data', (chunk: Buffer) => {
    if (size + chunk.length > maxProbeBodyBytes) {
      chunks.push(chunk.subarray(0, maxProbeBodyBytes - size));
      size = maxProbeBodyBytes;
      // The rest is not wanted: drop the connection rather than download it.
      settle(undefined, answer(true));
      response.destroy();
      return;
    }
    size += chunk.length;
    chunks.push(chunk);
  });
  response.once('end', () => settle(undefined, answer(false)));
  response.on('error', (error) => settle(error));
  // After 'end' this is a no-op; before it, the server cut the answer short.
  response.once('close', () => settle(new Error('The connection closed before the answer was complete')));
}
