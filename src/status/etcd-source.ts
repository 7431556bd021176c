import { setTimeout as sleep } from 'node:timers/promises';
import type { Balancer } from '../balancer/balancer.js';
import { ErrorCode, SoapBalancerError } from '../errors.js';
import { EtcdGateway, EtcdRequestError } from '../etcd/gateway.js';
import { prefixRangeEnd, toBase64 } from '../etcd/keys.js';
import { decodeKeyValue, headerRevision, type KeyValue } from '../etcd/kv.js';
import { type KeyEvent, watchPrefix } from '../etcd/watch.js';
import { EtcdStatusValues } from './etcd-status-values.js';
import { InvalidStatusError, statusSchemaVersion } from './schema.js';
import type { StatusSource } from './source.js';

/** The `etcd` option of a balanced client, completed with its defaults. */
export interface EtcdSourceSettings {
  readonly endpoints: readonly string[];
  /** Ends with `/`. */
  readonly prefix: string;
  readonly maxAgeMs: number;
  readonly timeoutMs: number;
  readonly heartbeatMs: number;
}

/** Reconnection backoff: doubled from the first to the last, with full jitter. */
const firstBackoffMs = 100;
const lastBackoffMs = 2_000;

/**
 * Learns the servers' status from etcd: a range of every key under the prefix, then a watch from the
 * next revision, whose events are applied as they come (per key, without touching the others). When
 * the watch fails (member gone, leader lost) it resumes on the next member from the revision it had
 * reached; when that revision was compacted away, or the status expired meanwhile, it ranges again.
 * A heartbeat (a count-only linearizable range, every `heartbeatMs`) proves the member still serves
 * the quorum; its failure moves the watch to another member. As with the monitor, a status older than
 * `maxAgeMs` (no contact with etcd) stops steering, and calls go on with the last pool. Values are
 * validated like the monitor's status; what it learns goes to the Balancer's status methods.
 */
export class EtcdStatusSource implements StatusSource {
  readonly #settings: EtcdSourceSettings;
  readonly #balancer: Balancer;
  readonly #now: () => number;
  readonly #gateway: EtcdGateway;
  readonly #values: EtcdStatusValues;
  readonly #closing = new AbortController();
  /** The revision the pool reflects; the watch resumes after it. */
  #revision = 0;
  #needsRange = true;
  #watching: AbortController | undefined;
  /** Ends the backoff early: a heartbeat got through, so etcd answers again. */
  #backingOff: AbortController | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #beating = false;
  #lastContactAt = Number.NEGATIVE_INFINITY;
  #failuresInRow = 0;
  #expired = true;
  #lastError: SoapBalancerError | undefined;

  constructor(settings: EtcdSourceSettings, balancer: Balancer, now: () => number = Date.now) {
    this.#settings = settings;
    this.#balancer = balancer;
    this.#now = now;
    this.#gateway = new EtcdGateway(settings.endpoints, settings.timeoutMs);
    this.#values = new EtcdStatusValues(settings.prefix);
  }

  /** The error of the latest failure, while etcd is failing. */
  get lastError(): SoapBalancerError | undefined {
    return this.#lastError;
  }

  /** Ranges once (awaited: resolves `false` if that failed), then watches in the background. */
  async start(): Promise<boolean> {
    const ranged = await this.#range().then(
      () => true,
      (error: unknown) => {
        this.#failed(error);
        return false;
      },
    );
    if (this.#closing.signal.aborted) return ranged;
    void this.#run();
    this.#heartbeat = setInterval(() => void this.#beat(), this.#settings.heartbeatMs);
    this.#heartbeat.unref();
    return ranged;
  }

  /** Expires the status when etcd has not been heard from for `maxAgeMs`; two comparisons otherwise. */
  beforeCall(): void {
    const ageMs = this.#now() - this.#lastContactAt;
    if (this.#expired || ageMs <= this.#settings.maxAgeMs) return;
    this.#expired = true;
    // What was missed is unknown: the pool is learned again whole once etcd answers.
    this.#needsRange = true;
    this.#balancer.expireStatus(ageMs);
  }

  close(): void {
    this.#closing.abort();
    clearInterval(this.#heartbeat);
    this.#gateway.close();
  }

  /** Watches until closed, resuming (or ranging again) after each failure, with backoff. */
  async #run(): Promise<void> {
    const closing = this.#closing.signal;
    while (!closing.aborted) {
      this.#watching = undefined;
      try {
        if (this.#needsRange) await this.#range();
        this.#watching = new AbortController();
        await watchPrefix(
          this.#gateway,
          this.#settings.prefix,
          this.#revision + 1,
          AbortSignal.any([closing, this.#watching.signal]),
          (events, revision) => this.#applyEvents(events, revision),
        );
        // Returned: the history from our revision on was compacted away; only a range tells the present.
        this.#needsRange = true;
      } catch (error: unknown) {
        if (closing.aborted) return;
        // A heartbeat that ended the watch says why; the abort itself would not.
        this.#failed(this.#watching?.signal.reason ?? error);
        this.#gateway.failover();
        const ceiling = Math.min(lastBackoffMs, firstBackoffMs * 2 ** Math.min(this.#failuresInRow, 10));
        this.#backingOff = new AbortController();
        const signal = AbortSignal.any([closing, this.#backingOff.signal]);
        await sleep(Math.random() * ceiling, undefined, { signal, ref: false }).catch(() => {});
      }
    }
  }

  async #range(): Promise<void> {
    const answer = await this.#gateway.call(
      '/v3/kv/range',
      { key: toBase64(this.#settings.prefix), range_end: prefixRangeEnd(this.#settings.prefix) },
      this.#closing.signal,
    );
    if (this.#closing.signal.aborted) return;
    const kvs = (Array.isArray(answer.kvs) ? answer.kvs : [])
      .map(decodeKeyValue)
      .filter((kv): kv is KeyValue => kv !== undefined);
    const errors = this.#values.reset(kvs);
    for (const error of errors) this.#failed(error);
    this.#revision = headerRevision(answer);
    this.#needsRange = false;
    this.#contact();
    this.#balancer.applyStatus({
      version: statusSchemaVersion,
      generatedAt: new Date(this.#now()).toISOString(),
      servers: this.#values.statuses,
    });
  }

  #applyEvents(events: readonly KeyEvent[], revision: number): void {
    this.#revision = revision;
    this.#contact();
    const { upserts, removals, errors } = this.#values.apply(events);
    for (const error of errors) this.#failed(error);
    if (upserts.length + removals.length === 0) return;
    this.#balancer.applyStatusChanges({ upserts, removals }, new Date(this.#now()).toISOString());
  }

  /**
   * Proves the member still answers for the cluster; else moves the watch elsewhere. A member that
   * lost the quorum fails this linearizable read, where its watch would just stay silent.
   */
  async #beat(): Promise<void> {
    if (this.#beating) return;
    this.#beating = true;
    const member = this.#gateway.endpoint;
    try {
      await this.#gateway.call(
        '/v3/kv/range',
        {
          key: toBase64(this.#settings.prefix),
          range_end: prefixRangeEnd(this.#settings.prefix),
          count_only: true,
        },
        this.#closing.signal,
      );
      this.#backingOff?.abort();
      // Another member answered: the watch's member did not, so the watch follows.
      if (this.#gateway.endpoint !== member) this.#watching?.abort(heartbeatFailed(member));
      else if (!this.#needsRange) {
        this.#contact();
        this.#balancer.confirmStatus();
      }
    } catch (error: unknown) {
      if (this.#closing.signal.aborted) return;
      this.#failed(error);
      this.#watching?.abort(heartbeatFailed(member));
    } finally {
      this.#beating = false;
      this.beforeCall();
    }
  }

  #contact(): void {
    this.#lastContactAt = this.#now();
    this.#expired = false;
    this.#failuresInRow = 0;
    this.#lastError = undefined;
  }

  #failed(error: unknown): void {
    this.#failuresInRow++;
    this.#lastError = asStatusError(error, this.#gateway.endpoint);
    this.#balancer.statusFailed(this.#lastError);
  }
}

function heartbeatFailed(member: string): EtcdRequestError {
  return new EtcdRequestError(`${member} failed the heartbeat: the watch moves to another member`, true);
}

function asStatusError(error: unknown, endpoint: string): SoapBalancerError {
  if (error instanceof SoapBalancerError) return error;
  if (error instanceof InvalidStatusError) {
    return new SoapBalancerError(ErrorCode.StatusInvalid, `etcd holds an invalid status: ${error.message}`, {
      cause: error,
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new SoapBalancerError(
    ErrorCode.StatusUnavailable,
    `etcd ${endpoint} could not be asked: ${reason}`,
    { cause: error },
  );
}
