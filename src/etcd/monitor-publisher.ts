import { hostname } from 'node:os';
import type { ServerStatus } from '../status/schema.js';
import { LeaderElection } from './election.js';
import { EtcdGateway } from './gateway.js';
import { electionKey, serverKey, toBase64 } from './keys.js';
import { KeptLease } from './lease.js';
import { minWriteIntervalMs, significantPart } from './status-value.js';
import type { EtcdWriterSettings } from './writer-options.js';

/** Keys written per transaction (each a nested txn of up to two puts; etcd allows 128 ops). */
const keysPerTxn = 32;

/** What a monitor's publisher tells its owner. */
export interface MonitorPublisherEvents {
  /** This monitor became the writer (`true`), or stopped being it. */
  readonly leadership: (leading: boolean) => void;
  /** etcd failed; the publisher goes on trying. */
  readonly error: (error: unknown) => void;
}

/**
 * Publishes a monitor's probe results in etcd, for the replicas that have no reporter of their own.
 * Several monitors may run: they elect a leader (lease + transaction, see {@link LeaderElection}) and
 * only the leader writes. Each of its keys is written with one transaction, "if the key is mine or
 * absent": a key a reporter owns (bound to another lease) is never overwritten. Keys are bound to the
 * leader's lease, so they leave with it; a new leader writes them again. Once a second at most per key.
 */
export class MonitorEtcdPublisher {
  readonly #settings: EtcdWriterSettings;
  readonly #statuses: () => readonly ServerStatus[];
  readonly #events: MonitorPublisherEvents;
  readonly #gateway: EtcdGateway;
  readonly #lease: KeptLease;
  readonly #election: LeaderElection;
  readonly #timer: NodeJS.Timeout;
  /** Key → the significant part last written (or found owned by a reporter): what needs no write. */
  readonly #written = new Map<string, string>();
  #leading = false;
  #ticking: Promise<void> | undefined;
  #closed: Promise<void> | undefined;

  constructor(
    settings: EtcdWriterSettings,
    statuses: () => readonly ServerStatus[],
    events: MonitorPublisherEvents,
  ) {
    this.#settings = settings;
    this.#statuses = statuses;
    this.#events = events;
    this.#gateway = new EtcdGateway(settings.endpoints, settings.timeoutMs);
    this.#lease = new KeptLease(
      this.#gateway,
      settings.leaseTtlSeconds,
      () => this.#written.clear(),
      (error) => events.error(error),
    );
    this.#election = new LeaderElection(
      this.#gateway,
      electionKey(settings.prefix),
      `${hostname()}:${process.pid}`,
    );
    const tickMs = Math.min(minWriteIntervalMs, (settings.leaseTtlSeconds * 1000) / 3);
    this.#timer = setInterval(() => void this.#tick(), tickMs);
    this.#timer.unref();
    void this.#lease.start().then(() => this.#tick());
  }

  /** Whether this monitor writes now. */
  get leading(): boolean {
    return this.#leading;
  }

  /** Stops writing and revokes the lease: the election key and every key written leave at once. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      clearInterval(this.#timer);
      // A write in flight lands before the lease is revoked, not after (it would fail, or outlive us).
      await this.#ticking;
      await this.#lease.close();
      this.#gateway.close();
    })();
    return this.#closed;
  }

  #tick(): Promise<void> {
    if (this.#ticking || this.#closed) return this.#ticking ?? Promise.resolve();
    this.#ticking = this.#campaignAndSync().finally(() => (this.#ticking = undefined));
    return this.#ticking;
  }

  async #campaignAndSync(): Promise<void> {
    try {
      const lease = this.#lease.id;
      const leading = lease !== undefined && (await this.#election.campaign(lease));
      this.#setLeading(leading);
      if (leading && lease !== undefined && !this.#closed) await this.#sync(lease);
    } catch (error: unknown) {
      // Unable to tell whether it still leads: it stops writing until it can.
      this.#setLeading(false);
      this.#events.error(error);
    }
  }

  #setLeading(leading: boolean): void {
    if (leading === this.#leading) return;
    this.#leading = leading;
    // A new leader does not know what etcd holds: it writes everything once.
    this.#written.clear();
    this.#events.leadership(leading);
  }

  async #sync(lease: string): Promise<void> {
    const wanted = new Map<string, { status: ServerStatus; significant: string }>();
    for (const status of this.#statuses()) {
      wanted.set(serverKey(this.#settings.prefix, status.id), {
        status,
        significant: significantPart(status),
      });
    }
    const operations: object[] = [];
    const done: (() => void)[] = [];
    for (const [key, { status, significant }] of wanted) {
      if (this.#written.get(key) === significant) continue;
      operations.push({
        request_txn: putIfMineOrAbsent(toBase64(key), toBase64(JSON.stringify(status)), lease),
      });
      done.push(() => this.#written.set(key, significant));
    }
    for (const key of this.#written.keys()) {
      if (wanted.has(key)) continue;
      operations.push({ request_txn: deleteIfMine(toBase64(key), lease) });
      done.push(() => this.#written.delete(key));
    }
    for (let start = 0; start < operations.length; start += keysPerTxn) {
      await this.#gateway.call('/v3/kv/txn', { success: operations.slice(start, start + keysPerTxn) });
      for (const mark of done.slice(start, start + keysPerTxn)) mark();
    }
  }
}

/** Puts the key if this lease holds it, or if nobody does; leaves a reporter's key alone. */
function putIfMineOrAbsent(key: string, value: string, lease: string): object {
  const put = { request_put: { key, value, lease } };
  return {
    compare: [{ target: 'LEASE', key, lease, result: 'EQUAL' }],
    success: [put],
    failure: [
      {
        request_txn: {
          compare: [{ target: 'CREATE', key, create_revision: '0', result: 'EQUAL' }],
          success: [put],
        },
      },
    ],
  };
}

function deleteIfMine(key: string, lease: string): object {
  return {
    compare: [{ target: 'LEASE', key, lease, result: 'EQUAL' }],
    success: [{ request_delete_range: { key } }],
  };
}
