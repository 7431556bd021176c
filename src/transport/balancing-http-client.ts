import { finished } from 'node:stream';
import { HttpClient } from 'soap';
import type { Balancer } from '../balancer/balancer.js';
import { assertNoDtd } from '../wsdl/dtd-guard.js';
import { type RewriteResult, rewriteWsdl } from '../wsdl/rewrite.js';
import { logicalPathUnder } from '../urls.js';
import { type Call, FailoverRunner, type FailoverSettings } from './failover.js';
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
  data: unknown;
}

/** One answer of the inner client's callback API. */
interface Answer {
  readonly status: number;
  readonly response: HttpResponse;
  readonly body: unknown;
}

export interface BalancingHttpClientOptions {
  readonly balancer: Balancer;
  /** The http client that really sends: node-soap's own, or the user's. */
  readonly inner: HttpClientLike;
  /** The balancer's own origin, which the rewritten WSDL names as every service's address. */
  readonly endpoint: string;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly isIdempotent: (operation: string | undefined) => boolean;
  readonly operations: OperationTracker;
  /** See {@link FailoverSettings.beforeCall}. */
  readonly beforeCall?: (() => void) | undefined;
}

/**
 * node-soap's `httpClient` for a balanced client. A request for the balancer's own address (or for a
 * pool server's) is sent to the server the balancer picks, failing over as allowed; any other request
 * goes straight to the inner client. Service descriptions fetched through it are checked and
 * rewritten before node-soap parses them.
 */
export class BalancingHttpClient extends HttpClient {
  /** Every service description fetched through the balancer, by path, as node-soap received it. */
  readonly descriptions = new Map<string, RewriteResult>();
  readonly #balancer: Balancer;
  readonly #inner: HttpClientLike;
  readonly #endpoint: string;
  readonly #isIdempotent: (operation: string | undefined) => boolean;
  readonly #operations: OperationTracker;
  readonly #failover: FailoverRunner;

  constructor(options: BalancingHttpClientOptions) {
    super();
    this.#balancer = options.balancer;
    this.#inner = options.inner;
    this.#endpoint = options.endpoint;
    this.#isIdempotent = options.isIdempotent;
    this.#operations = options.operations;
    this.#failover = new FailoverRunner(options);
  }

  /** Aborts the requests in flight and fails every later one with `SOAPBAL_CLOSED`. */
  close(): void {
    this.#failover.close();
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
  ): unknown {
    const isFetch = data === null || data === undefined;
    const path = this.#pathOf(url);
    if (path === undefined) {
      const guarded = isFetch ? guardFetchedDocument(url, callback) : callback;
      return this.#inner.request(url, data, guarded, headers, options, caller);
    }
    const call = this.#call(path, isFetch, options);
    const send = (target: string, attemptOptions: Record<string, unknown>) =>
      new Promise<Answer>((resolve, reject) => {
        const returned = this.#inner.request(
          target,
          data,
          (error, response, body) => {
            if (error) return reject(error);
            const answer = response as HttpResponse;
            resolve({ status: answer.status, response: answer, body });
          },
          headers,
          attemptOptions,
          caller,
        );
        // The callback reports the outcome; a rejection of the returned promise would be a second, unhandled one.
        if (returned instanceof Promise) returned.catch(noop);
      });
    return this.#failover.run(call, send, noop).then(
      ({ result: { response, body: received }, server }) => {
        this.#balancer.release(server);
        let body = received;
        try {
          if (isFetch && response.status === 200) body = this.#rewriteDescription(path, body);
        } catch (error: unknown) {
          callback(error);
          return undefined;
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

  #requestStream(
    url: string,
    data: unknown,
    headers: Headers,
    options: PerCallOptions,
    caller: unknown,
  ): Promise<unknown> {
    const inner = this.#inner;
    if (typeof inner.requestStream !== 'function') {
      return Promise.reject(
        new TypeError('The `soap.httpClient` given has no requestStream(); stream mode needs it'),
      );
    }
    const path = this.#pathOf(url);
    if (path === undefined) return inner.requestStream(url, data, headers, options, caller);
    const call = this.#call(path, data === null || data === undefined, options);
    const send = (target: string, attemptOptions: Record<string, unknown>) =>
      inner.requestStream?.(target, data, headers, attemptOptions, caller) as Promise<HttpResponse>;
    return this.#failover.run(call, send, destroyBody).then(({ result: response, server }) => {
      // The call stays in flight on its server until the body has been read.
      if (isStream(response.data)) finished(response.data, () => this.#balancer.release(server));
      else this.#balancer.release(server);
      return response;
    });
  }

  #call(path: string, isFetch: boolean, options: PerCallOptions): Call {
    const operation = isFetch ? undefined : this.#operations.current;
    return { path, operation, mayRepeat: isFetch || this.#isIdempotent(operation), options };
  }

  /** The part after the balancer's origin or a pool server's base; `undefined` for other URLs. */
  #pathOf(url: string): string | undefined {
    if (url.startsWith(this.#endpoint)) {
      const rest = url.slice(this.#endpoint.length);
      if (rest === '' || rest.startsWith('/')) return rest || '/';
      if (rest.startsWith('?')) return `/${rest}`;
    }
    return logicalPathUnder(url, this.#balancer.urls);
  }

  #rewriteDescription(path: string, body: unknown): string {
    const text = Buffer.isBuffer(body) ? body.toString('utf8') : String(body);
    const rewritten = rewriteWsdl(text, {
      endpoint: this.#endpoint,
      servers: this.#balancer.urls,
      source: path,
    });
    this.descriptions.set(path, rewritten);
    return rewritten.xml;
  }
}

/** Documents from outside the pool are not rewritten, but they are not parsed with a DTD either. */
function guardFetchedDocument(url: string, callback: RequestCallback): RequestCallback {
  return (error, response, body) => {
    if (!error && (response as HttpResponse | undefined)?.status === 200) {
      try {
        assertNoDtd(Buffer.isBuffer(body) ? body.toString('utf8') : String(body), url);
      } catch (unsafe: unknown) {
        return callback(unsafe);
      }
    }
    return callback(error, response, body);
  };
}

function isStream(value: unknown): value is NodeJS.ReadableStream {
  return typeof (value as NodeJS.ReadableStream | null)?.pipe === 'function';
}

function destroyBody(response: HttpResponse): void {
  const body = response.data as { destroy?: () => void } | null;
  body?.destroy?.();
}

function noop(): void {}
