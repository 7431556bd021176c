import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import type { Balancer } from '../balancer/balancer.js';
import { ErrorCode, SoapBalancerError } from '../errors.js';
import { InvalidStatusError, parseStatusSnapshot } from './schema.js';
import type { StatusSource } from './source.js';

/** The `monitor` option of a balanced client, completed with its defaults. */
export interface MonitorSourceSettings {
  readonly url: string;
  readonly token: string | undefined;
  readonly ttlMs: number;
  readonly maxAgeMs: number;
  readonly timeoutMs: number;
}

/** A status answer can be large (1,000 servers ≈ 400 KB) but not unbounded. */
const maxStatusBytes = 16 * 1024 * 1024;

/**
 * Asks the monitor for status upon request: on a call, when the status in hand is older than
 * `ttlMs`, a refresh starts behind it (the call does not wait) and the balancer takes the result.
 * Failures keep the last status; a status older than `maxAgeMs` stops steering. Only `start()`, the
 * very first request, is awaited. What it learns goes to the Balancer's status methods, which apply
 * the allow rule and emit the events.
 */
export class MonitorStatusSource implements StatusSource {
  readonly #settings: MonitorSourceSettings;
  readonly #balancer: Balancer;
  readonly #now: () => number;
  readonly #agent: HttpAgent;
  readonly #http: AxiosInstance;
  readonly #closing = new AbortController();
  #etag: string | undefined;
  #lastGoodAt = Number.NEGATIVE_INFINITY;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #refreshing = false;
  #expired = true;
  #lastError: SoapBalancerError | undefined;

  constructor(settings: MonitorSourceSettings, balancer: Balancer, now: () => number = Date.now) {
    this.#settings = settings;
    this.#balancer = balancer;
    this.#now = now;
    const agentOptions = { keepAlive: true, scheduling: 'lifo', timeout: 5_000 } as const;
    this.#agent = settings.url.startsWith('https:')
      ? new HttpsAgent(agentOptions)
      : new HttpAgent(agentOptions);
    this.#http = axios.create({
      httpAgent: this.#agent,
      httpsAgent: this.#agent,
      timeout: settings.timeoutMs,
      maxContentLength: maxStatusBytes,
      maxRedirects: 0,
      decompress: true,
      responseType: 'text',
      transformResponse: (data: unknown) => data,
      validateStatus: () => true,
    });
  }

  /** The error of the latest failed status request, if the latest one failed. */
  get lastError(): SoapBalancerError | undefined {
    return this.#lastError;
  }

  /** Makes the first status request and waits for it. Resolves `false` if it failed (see `lastError`). */
  start(): Promise<boolean> {
    return this.#refresh();
  }

  /** Called before every call; costs two comparisons unless a refresh or an expiry is due. */
  beforeCall(): void {
    const now = this.#now();
    if (!this.#expired && now - this.#lastGoodAt > this.#settings.maxAgeMs) {
      this.#expired = true;
      this.#balancer.expireStatus(now - this.#lastGoodAt);
    }
    const due =
      now - this.#lastGoodAt >= this.#settings.ttlMs && now - this.#lastAttemptAt >= this.#settings.ttlMs;
    if (due && !this.#refreshing) void this.#refresh();
  }

  close(): void {
    this.#closing.abort();
    this.#agent.destroy();
  }

  async #refresh(): Promise<boolean> {
    this.#refreshing = true;
    this.#lastAttemptAt = this.#now();
    try {
      await this.#fetchAndApply();
      return true;
    } catch (error: unknown) {
      if (this.#closing.signal.aborted) return false;
      this.#lastError = asMonitorError(error, this.#settings.url);
      this.#balancer.statusFailed(this.#lastError);
      return false;
    } finally {
      this.#refreshing = false;
    }
  }

  async #fetchAndApply(): Promise<void> {
    // gzip: a large pool's status shrinks about tenfold; axios inflates it, within `maxContentLength`.
    const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Encoding': 'gzip' };
    if (this.#settings.token !== undefined) headers.Authorization = `Bearer ${this.#settings.token}`;
    if (this.#etag !== undefined) headers['If-None-Match'] = this.#etag;
    const response = await this.#http.get<string>(this.#settings.url, {
      headers,
      signal: this.#closing.signal,
    });
    if (this.#closing.signal.aborted) return;
    if (response.status === 304 && this.#etag !== undefined) {
      this.#succeeded(response.headers.etag);
      this.#balancer.confirmStatus();
      return;
    }
    if (response.status !== 200) {
      throw new SoapBalancerError(
        ErrorCode.StatusUnavailable,
        `Monitor ${this.#settings.url} answered HTTP ${response.status}${hintFor(response.status)}`,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(response.data);
    } catch (error: unknown) {
      throw new InvalidStatusError(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    const snapshot = parseStatusSnapshot(body);
    this.#succeeded(response.headers.etag);
    this.#balancer.applyStatus(snapshot);
  }

  #succeeded(etag: unknown): void {
    this.#etag = typeof etag === 'string' ? etag : undefined;
    this.#lastGoodAt = this.#now();
    this.#expired = false;
    this.#lastError = undefined;
  }
}

function asMonitorError(error: unknown, url: string): SoapBalancerError {
  if (error instanceof SoapBalancerError) return error;
  if (error instanceof InvalidStatusError) {
    return new SoapBalancerError(
      ErrorCode.StatusInvalid,
      `Monitor ${url} sent an invalid status: ${error.message}`,
      {
        cause: error,
      },
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new SoapBalancerError(ErrorCode.StatusUnavailable, `Monitor ${url} could not be asked: ${reason}`, {
    cause: error,
  });
}

function hintFor(status: number): string {
  if (status === 401) return ' (token refused)';
  if (status === 404) return ' (is this the URL of its status API, ending in /status?)';
  return '';
}
