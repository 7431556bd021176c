import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { ErrorCode, SoapBalancerError } from '../errors.js';
import { asProbeFailure, probeFailed } from './probe-failure.js';

/** One HTTP answer to a probe. */
export interface ProbeAnswer {
  readonly status: number;
  /** The body, at most {@link maxProbeBodyBytes}; cut there when `truncated`. */
  readonly body: Buffer;
  readonly truncated: boolean;
  /** Time from sending the request to the response headers (time to first byte), ms. */
  readonly latencyMs: number;
}

/**
 * Performs a probe's GET. Rejects on connection errors and when no full answer came in `timeoutMs`
 * (the monitor reports any rejection as a `SOAPBAL_PROBE_FAILED` error with it as `cause`).
 */
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
  readonly #inFlight = new Map<ClientRequest, (error: SoapBalancerError) => void>();
  #destroyed = false;

  /**
   * Rejects with a `SOAPBAL_PROBE_FAILED` error saying the URL and what failed (refused, timed out,
   * closed early…), the socket's error as `cause`; with `SOAPBAL_CLOSED` once destroyed.
   */
  get(url: URL, timeoutMs: number): Promise<ProbeAnswer> {
    if (this.#destroyed) return Promise.reject(transportClosed());
    return new Promise((resolve, reject) => {
      const started = performance.now();
      let request: ClientRequest | undefined;
      let settled = false;
      const settle = (error: SoapBalancerError | undefined, answer?: ProbeAnswer) => {
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
        settle(probeFailed(url.href, `timed out: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const send = (retry: boolean) => {
        const current = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
          agent: url.protocol === 'https:' ? this.#https : this.#http,
          headers,
        });
        request = current;
        this.#inFlight.set(current, settle);
        current.once('response', (response) => readAnswer(response, url.href, started, settle));
        current.on('error', (error: NodeJS.ErrnoException) => {
          if (current !== request) return;
          // A kept-alive connection the server closed just as it was reused: retry once on a new
          // one, as Node's documentation advises, rather than count the server as failing.
          if (retry && current.reusedSocket && error.code === 'ECONNRESET' && !this.#destroyed && !settled) {
            this.#inFlight.delete(current);
            send(false);
          } else settle(asProbeFailure(url.href, error));
        });
        current.end();
      };
      send(true);
    });
  }

  /** Ends the probes in flight (they reject) and closes every connection. */
  destroy(): void {
    this.#destroyed = true;
    for (const settle of [...this.#inFlight.values()]) settle(transportClosed());
    this.#http.destroy();
    this.#https.destroy();
  }
}

function transportClosed(): SoapBalancerError {
  return new SoapBalancerError(ErrorCode.Closed, 'The probe transport is closed');
}

function readAnswer(
  response: IncomingMessage,
  url: string,
  started: number,
  settle: (error: SoapBalancerError | undefined, answer?: ProbeAnswer) => void,
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
  // Either one, before 'end', means that the server cut the answer short (after 'end', a no-op). Node
  // reports a body shorter than announced as an error (ECONNRESET, "aborted"): kept as the cause.
  const cutShort = (cause?: Error) =>
    settle(probeFailed(url, 'the connection closed before the answer was complete', cause));
  response.on('error', cutShort);
  response.once('close', () => cutShort());
}
