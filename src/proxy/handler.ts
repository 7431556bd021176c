import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Balancer } from '../balancer/balancer.js';
import type { Lease } from '../balancer/lease.js';
import { headerReader, judgeAnswer } from '../transport/classify-failure.js';
import type { DocumentFetcher } from '../transport/document-fetch.js';
import type { FailoverRunner } from '../transport/failover.js';
import { documentForClients } from './documents.js';
import { callFailedAnswer, fetchFailedAnswer, type ProxyAnswer, textAnswer } from './error-answer.js';
import { endToEndHeaders, upstreamRequestHeaders } from './forward-headers.js';
import { detectOperation } from './operation.js';
import { BodyTooLargeError, bodyHead, type RequestBody, readRequestBody } from './request-body.js';
import { readBody, type UpstreamAnswer, type UpstreamPools } from './upstream.js';

export interface ProxyHandlerSettings {
  readonly balancer: Balancer;
  readonly pools: UpstreamPools;
  /** Runs calls whose body is held whole: they may be sent again (see the retry rules). */
  readonly calls: FailoverRunner;
  /** Runs calls whose body is streamed: one attempt only. */
  readonly streamedCalls: FailoverRunner;
  readonly fetches: DocumentFetcher;
  /** The proxy's public origin, written into documents and `Forwarded`. */
  readonly publicUrl: URL;
  readonly isIdempotent: (operation: string | undefined) => boolean;
  readonly maxBodyBytes: number;
  readonly replayBodyBytes: number;
}

/** A fetched document, read whole. */
interface Fetched {
  readonly status: number;
  readonly answer: UpstreamAnswer;
  readonly body: Buffer;
}

/**
 * Serves one client request: a POST is a SOAP call, balanced and failed over as the library's calls
 * are, its answer streamed back untouched (SOAP Faults included); a GET is a document fetched from the
 * least busy server, with its addresses moved to the proxy. Anything that would make the proxy an
 * open proxy (an absolute URI, CONNECT, other methods) is refused.
 */
export class ProxyHandler {
  readonly #settings: ProxyHandlerSettings;
  readonly #publicOrigin: string;

  constructor(settings: ProxyHandlerSettings) {
    this.#settings = settings;
    this.#publicOrigin = settings.publicUrl.origin;
  }

  handle(request: IncomingMessage, response: ServerResponse): void {
    const path = request.url ?? '';
    // Only origin-form targets: an absolute URI (`GET http://elsewhere/`) asks for a forward proxy.
    if (!path.startsWith('/')) {
      send(response, textAnswer(400, 'soap-balancer: only paths are served here, not absolute URIs'));
      return;
    }
    if (request.method === 'POST') void this.#call(request, response, path);
    else if (request.method === 'GET') void this.#document(request, response, path);
    else
      send(
        response,
        textAnswer(405, 'soap-balancer: GET (documents) and POST (calls) only', { allow: 'GET, POST' }),
      );
  }

  async #call(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const { maxBodyBytes, replayBodyBytes } = this.#settings;
    let body: RequestBody;
    try {
      body = await readRequestBody(request, replayBodyBytes, maxBodyBytes);
    } catch (error: unknown) {
      if (error instanceof BodyTooLargeError) tooLarge(response, error);
      else response.destroy();
      return;
    }
    const { operation, soapVersion } = detectOperation(request.headers, bodyHead(body));
    const headers = this.#upstreamHeaders(request);
    const runner = body.kind === 'buffered' ? this.#settings.calls : this.#settings.streamedCalls;
    const call = { path, operation, mayRepeat: this.#settings.isIdempotent(operation), options: undefined };
    try {
      const { result, lease } = await runner.run(
        call,
        (url, options) =>
          this.#settings.pools.send(
            baseOf(url, path),
            path,
            'POST',
            headers,
            body,
            options.timeout as number,
          ),
        (answer) => judgeAnswer(answer.status, headerReader(answer.response.headers), undefined),
        discard,
      );
      relay(result, lease, response);
    } catch (error: unknown) {
      if (error instanceof BodyTooLargeError) tooLarge(response, error);
      else send(response, callFailedAnswer(error, soapVersion));
    }
  }

  async #document(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const { fetches, pools, maxBodyBytes, balancer } = this.#settings;
    // The proxy rewrites what it serves: it asks for the plain text.
    const headers = this.#upstreamHeaders(request);
    headers['accept-encoding'] = 'identity';
    request.resume();
    let fetched: Fetched;
    try {
      const { result, lease } = await fetches.fetch(
        path,
        undefined,
        async (url, options): Promise<Fetched> => {
          const answer = await pools.send(
            baseOf(url, path),
            path,
            'GET',
            headers,
            undefined,
            options.timeout as number,
            options.signal as AbortSignal,
          );
          return { status: answer.status, answer, body: await readBody(answer.response, maxBodyBytes) };
        },
        (fetched) => judgeAnswer(fetched.status, headerReader(fetched.answer.response.headers), fetched.body),
        () => {},
      );
      lease.release();
      fetched = result;
    } catch (error: unknown) {
      send(response, fetchFailedAnswer(error));
      return;
    }
    const upstreamHeaders = fetched.answer.response.headers;
    let body = fetched.body;
    if (fetched.status === 200) {
      try {
        body = documentForClients(body, upstreamHeaders, path, this.#publicOrigin, balancer.urls);
      } catch (error: unknown) {
        send(response, fetchFailedAnswer(error));
        return;
      }
    }
    const out: OutgoingHttpHeaders = endToEndHeaders(upstreamHeaders);
    // The text may have changed: its length and validators are the proxy's now.
    delete out.etag;
    delete out['content-md5'];
    out['content-length'] = body.length;
    response.writeHead(fetched.status, out).end(body);
  }

  #upstreamHeaders(request: IncomingMessage): OutgoingHttpHeaders {
    return upstreamRequestHeaders(request.headers, {
      clientAddress: request.socket.remoteAddress,
      publicUrl: this.#settings.publicUrl,
    });
  }
}

/** The server's base URL in the target the runners built from it and the path. */
function baseOf(url: string, path: string): string {
  if (!url.endsWith(path)) throw new TypeError(`Refused target ${url}`);
  return url.slice(0, url.length - path.length);
}

/**
 * Streams the server's answer to the client; the call holds its server until the body is through.
 * (`pipe` and events rather than `pipeline`, which makes an AbortController and a DOMException per call.)
 */
function relay(answer: UpstreamAnswer, lease: Lease, response: ServerResponse): void {
  const upstream = answer.response;
  // The server went away mid-answer: a failure of the server, and the client's answer is cut too.
  upstream.once('aborted', () => {
    lease.failed('reset');
    response.destroy();
  });
  upstream.once('end', () => lease.release());
  // The client hung up first: the rest of the answer is not wanted (not a failure of the server).
  response.once('close', () => {
    if (!upstream.complete) upstream.destroy();
    lease.release();
  });
  response.writeHead(answer.status, endToEndHeaders(upstream.headers));
  // The head and what arrives with it (often the whole answer, and its end) leave in one write.
  response.cork();
  process.nextTick(() => response.uncork());
  upstream.pipe(response);
}

function discard(answer: UpstreamAnswer): void {
  answer.response.resume();
}

function tooLarge(response: ServerResponse, error: BodyTooLargeError): void {
  // The rest of the body is not read: the connection cannot carry another request.
  send(response, textAnswer(413, `soap-balancer: ${error.message}`, { connection: 'close' }));
}

function send(response: ServerResponse, answer: ProxyAnswer): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  response.end(answer.body);
}
