import { type LoadReport, loadScore } from '../load-report/schema.js';
import type { ServerStatus } from '../status/schema.js';
import { EtcdGateway } from './gateway.js';
import { serverKey, toBase64 } from './keys.js';
import { KeptLease } from './lease.js';
import { minWriteIntervalMs, significantPart } from './status-value.js';
import type { EtcdWriterSettings } from './writer-options.js';

/** A replica's own key: who it is, where it is reached, and where etcd is. */
export interface ReporterPublisherSettings extends EtcdWriterSettings {
  /** The server's base URL as clients reach it. */
  readonly url: string;
  readonly id: string;
}

/**
 * Publishes one replica's status in etcd under a lease kept alive: its load once a second when it
 * changed, `draining` at once when asked, and nothing at all when idle. The key leaves with the lease
 * when the process dies, and at once on `close()`.
 */
export class ReporterEtcdPublisher {
  readonly #settings: ReporterPublisherSettings;
  readonly #report: () => LoadReport;
  readonly #gateway: EtcdGateway;
  readonly #lease: KeptLease;
  readonly #key: string;
  readonly #timer: NodeJS.Timeout;
  #written: string | undefined;
  #draining = false;
  #writing: Promise<void> | undefined;
  #failing = false;
  #closed: Promise<void> | undefined;
  /** The first lease grant (or its failure): a drain asked before it waits for it. */
  readonly #started: Promise<void>;

  constructor(settings: ReporterPublisherSettings, report: () => LoadReport) {
    this.#settings = settings;
    this.#report = report;
    this.#gateway = new EtcdGateway(settings.endpoints, settings.timeoutMs);
    this.#key = toBase64(serverKey(settings.prefix, settings.id));
    this.#lease = new KeptLease(
      this.#gateway,
      settings.leaseTtlSeconds,
      () => {
        // A new lease has none of our keys: write again.
        this.#written = undefined;
        void this.#sync();
      },
      (error) => this.#failed(error),
    );
    this.#timer = setInterval(() => void this.#sync(), minWriteIntervalMs);
    this.#timer.unref();
    this.#started = this.#lease.start();
  }

  /**
   * Marks the replica draining in etcd now (clients stop giving it new calls); resolves once written,
   * or once the write failed (reported as a warning, and retried with the next look).
   */
  async drain(): Promise<void> {
    this.#draining = true;
    await this.#started;
    await this.#writing;
    await this.#sync();
  }

  /** Stops writing and removes the key (by revoking the lease). Idempotent; never rejects. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      clearInterval(this.#timer);
      await this.#writing;
      await this.#lease.close();
      this.#gateway.close();
    })();
    return this.#closed;
  }

  #sync(): Promise<void> {
    if (this.#writing || this.#closed) return this.#writing ?? Promise.resolve();
    const lease = this.#lease.id;
    if (lease === undefined) return Promise.resolve();
    const status = this.#status();
    const significant = significantPart(status);
    if (significant === this.#written) return Promise.resolve();
    this.#writing = this.#gateway
      .call('/v3/kv/put', { key: this.#key, value: toBase64(JSON.stringify(status)), lease })
      .then(
        () => {
          this.#written = significant;
          this.#failing = false;
        },
        (error: unknown) => this.#failed(error),
      )
      .finally(() => (this.#writing = undefined));
    return this.#writing;
  }

  #status(): ServerStatus {
    const report = this.#report();
    return {
      id: this.#settings.id,
      url: this.#settings.url,
      state: this.#draining ? 'draining' : 'up',
      load: loadScore(report),
      loadSource: 'report',
      capacity: report.capacity,
      inFlight: report.inFlight,
      queued: report.queued,
      served: report.served,
      eventLoopDelayMs: report.eventLoopDelayMs,
      latencyMs: null,
      lastCheckedAt: new Date().toISOString(),
    };
  }

  /** Warns once per outage: a replica keeps serving whatever etcd does. */
  #failed(error: unknown): void {
    if (this.#failing) return;
    this.#failing = true;
    const reason = error instanceof Error ? error.message : String(error);
    process.emitWarning(`soap-balancer could not write its status to etcd: ${reason}`, {
      code: 'SOAPBAL_ETCD_WRITE_FAILED',
    });
  }
}
