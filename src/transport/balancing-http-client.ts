import { finished } from 'node:stream';
import { HttpClient } from 'soap';
import type { Balancer } from '../balancer/balancer.js';
import type { Lease } from '../balancer/lease.js';
import { logicalPathUnder } from '../urls.js';
import type { ServiceDocuments } from '../wsdl/documents.js';
import type { Attempts } from './attempts.js';
import { headerReader, judgeAnswer } from './classify-failure.js';
import type { DocumentFetcher } from './document-fetch.js';
import { type FailoverRunner, withTimeout } from './failover.js';
import type { OperationTracker } from './operation-tracker.js';

// node-soap's http client API is untyped at its edges (`any` callbacks and responses).
type Headers = Record<string, unknown> | undefined;
type PerCallOptions = Record<string, unknown> | undefined;
type RequestCallback = (error: unknown, response?: unknown, body?: unknown) => unknown;

/** The part of a node-soap http client the balancer uses. A user's own `httpClient` must have it. */
export interface HttpClientLike {
  request(
    url: string,
    data: unknown,
    callback: RequestCallback,
    headers?: Headers,
    options?: PerCallOptions,
    caller?: unknown,
  ): unknown;
  requestStream?(
    url: string,
    data: unknown,
    headers?: Headers,
    options?: PerCallOptions,
    caller?: unknown,
  ): Promise<unknown>;
}

interface HttpResponse {
  status: number;
  headers?: unknown;
  data: unknown;
}

/** One answer of the inner client's callback API. */
interface Answer {
  readonly status: number;
  /** The response's headers, where the failover runner reads the server's load. */
  readonly headers: unknown;
  readonly response: HttpResponse;
  readonly body: unknown;
}

export interface BalancingHttpClientOptions {
  readonly balancer: Balancer;
  /** The http client that really sends: node-soap's own, or the user's. */
  readonly inner: HttpClientLike;
  /** The balancer's own origin, which the rewritten WSDL names as every service's address. */
  readonly endpoint: string;
  readonly isIdempotent: (operation: string | undefined) => boolean;
  readonly operations: OperationTracker;
  readonly attempts: Attempts;
  readonly calls: FailoverRunner;
  readonly fetches: DocumentFetcher;
  readonly documents: ServiceDocuments;
  /** Bounds a fetch of a document from a host outside the pool (ms). */
  readonly fetchTimeoutMs: number;
}

/**
 * node-soap's `httpClient` for a balanced client: the one place that speaks node-soap's http client
 * API. A request for the balancer's own address (or a pool server's) is balanced: a call through the
 * failover runner, a document fetch through the hedged fetcher. Every document node-soap fetches,
 * from the pool or from another host, is checked and rewritten before node-soap parses it, so that
 * none of its addresses bypasses the balancer. A call to any other URL (an explicit endpoint on
 * another host) goes straight to the inner client.
 */
export class BalancingHttpClient extends HttpClient {
  readonly #options: BalancingHttpClientOptions;

  constructor(options: BalancingHttpClientOptions) {
    super();
    this.#options = options;
  }

  override request(
    url: string,
    data: unknown,
    callback: RequestCallback,
    headers?: Headers,
    options?: PerCallOptions,
    caller?: unknown,
  ): ReturnType<HttpClient['request']> {
    return this.#request(url, data, callback, headers, options, caller) as ReturnType<HttpClient['request']>;
  }

  override requestStream(
    url: string,
    data: unknown,
    headers?: Headers,
    options?: PerCallOptions,
    caller?: unknown,
  ): ReturnType<HttpClient['requestStream']> {
    return this.#requestStream(url, data, headers, options, caller) as ReturnType<
      HttpClient['requestStream']
    >;
  }

  #request(
    url: string,
    data: unknown,
    callback: RequestCallback,
    headers: Headers,
    options: PerCallOptions,
    caller: unknown,
  ): Promise<unknown> | unknown {
    const { inner, documents } = this.#options;
    const isFetch = data === null || data === undefined;
    const path = this.#pathOf(url);
    const send = (target: string, attemptOptions: Record<string, unknown>) =>
      new Promise<Answer>((resolve, reject) => {
        const returned = inner.request(
          target,
          data,
          (error, response, body) => {
            if (error) return reject(error);
            const answer = response as HttpResponse;
            resolve({ status: answer.status, headers: answer.headers, response: answer, body });
          },
          headers,
          attemptOptions,
          caller,
        );
        // The callback reports the outcome; a rejection of the returned promise would be a second, unhandled one.
        if (returned instanceof Promise) returned.catch(noop);
      });
    if (path === undefined && !isFetch) return inner.request(url, data, callback, headers, options, caller);
    const answered =
      path === undefined
        ? this.#fetchForeign(url, options, send)
        : isFetch
          ? this.#options.fetches.fetch(path, options, send, judgeBuffered, noop)
          : this.#options.calls.run(this.#call(path, options), send, judgeBuffered, noop);
    return answered.then(
      ({ result: { response, body: received }, lease }) => {
        lease?.release();
        let body = received;
        if (isFetch && response.status === 200) {
          try {
            body = documents.accept(
              path ?? url,
              path === undefined ? url : `${this.#options.endpoint}${path}`,
              body,
            );
          } catch (error: unknown) {
            callback(error);
            return undefined;
          }
        }
        response.data = body;
        callback(null, response, body);
        return response;
      },
      (error: unknown) => {
        callback(error);
        return undefined;
      },
    );
  }

  /**
   * A document on a host outside the pool (an absolute import location): fetched from that host,
   * once, within the fetch budget; rewritten like every other document.
   */
  #fetchForeign(
    url: string,
    options: PerCallOptions,
    send: (target: string, options: Record<string, unknown>) => Promise<Answer>,
  ): Promise<{ readonly result: Answer; readonly lease: Lease | undefined }> {
    const attemptOptions = withTimeout(options, this.#options.fetchTimeoutMs);
    return this.#options.attempts
      .run(url, attemptOptions, send, () => undefined, noop)
      .then((outcome) => {
        if (outcome.failure === undefined) return { result: outcome.result, lease: undefined };
        throw outcome.error ?? new Error(`GET ${url} failed (${outcome.failure})`);
      });
  }

  #requestStream(
    url: string,
    data: unknown,
    headers: Headers,
    options: PerCallOptions,
    caller: unknown,
  ): Promise<unknown> {
    const { inner } = this.#options;
    if (typeof inner.requestStream !== 'function') {
      return Promise.reject(
        new TypeError('The `soap.httpClient` given has no requestStream(); stream mode needs it'),
      );
    }
    const path = this.#pathOf(url);
    if (path === undefined) return inner.requestStream(url, data, headers, options, caller);
    const send = (target: string, attemptOptions: Record<string, unknown>) =>
      inner.requestStream?.(target, data, headers, attemptOptions, caller) as Promise<HttpResponse>;
    return this.#options.calls
      .run(this.#call(path, options), send, judgeStreamed, destroyBody)
      .then(({ result: response, lease }) => {
        // The call stays in flight on its server until the body has been read; a body cut short
        // (the server died mid-answer) is a failure of the server like any other reset.
        if (isStream(response.data)) {
          finished(response.data, (error) => (error ? lease.failed('reset') : lease.release()));
        } else {
          lease.release();
        }
        return response;
      });
  }

  #call(path: string, options: PerCallOptions) {
    const operation = this.#options.operations.current;
    return { path, operation, mayRepeat: this.#options.isIdempotent(operation), options };
  }

  /** The part after the balancer's origin or a pool server's base; `undefined` for other URLs. */
  #pathOf(url: string): string | undefined {
    const { endpoint, balancer } = this.#options;
    if (url.startsWith(endpoint)) {
      const rest = url.slice(endpoint.length);
      if (rest === '' || rest.startsWith('/')) return rest || '/';
      if (rest.startsWith('?')) return `/${rest}`;
    }
    return logicalPathUnder(url, balancer.urls);
  }
}

function judgeBuffered(answer: Answer) {
  return judgeAnswer(answer.status, headerReader(answer.response.headers), answer.body);
}

function judgeStreamed(response: HttpResponse) {
  return judgeAnswer(response.status, headerReader(response.headers), undefined);
}

function isStream(value: unknown): value is NodeJS.ReadableStream {
  return typeof (value as NodeJS.ReadableStream | null)?.pipe === 'function';
}

function destroyBody(response: HttpResponse): void {
  const body = response.data as { destroy?: () => void } | null;
  body?.destroy?.();
}

function noop(): void {}
