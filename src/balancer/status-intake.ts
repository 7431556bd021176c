import type { EventEmitter } from 'node:events';
import type { SoapBalancerError } from '../errors.js';
import type { ServerStatus, StatusSnapshot } from '../status/schema.js';
import { normalizeBaseUrl } from '../urls.js';
import type { AllowRule } from './allow-rule.js';
import type { BalancerEvents } from './events.js';
import type { ServerPool } from './server-pool.js';
import type { ServerState } from './server-state.js';

/** URLs remembered for `serverNotAllowed`, so that a hostile status cannot grow memory without bound. */
const maxRemembered = 10_000;

/**
 * What status sources report, taken into the pool. Every source speaks through this, so the allow
 * rule and the events are the same whatever the source (the monitor's HTTP API, etcd, …).
 */
export class StatusIntake {
  readonly #pool: ServerPool;
  readonly #events: EventEmitter<BalancerEvents>;
  readonly #allow: AllowRule;
  readonly #now: () => number;
  /** Refused URLs already reported; and those the status in hand lists. */
  readonly #notAllowedSeen = new Set<string>();
  readonly #notAllowedListed = new Set<string>();
  #failures = 0;
  #generatedAt = '';

  constructor(pool: ServerPool, events: EventEmitter<BalancerEvents>, allow: AllowRule, now: () => number) {
    this.#pool = pool;
    this.#events = events;
    this.#allow = allow;
    this.#now = now;
  }

  /** See `Balancer.applyStatus`. */
  applyStatus(snapshot: StatusSnapshot): void {
    const listed = new Set(snapshot.servers.map((status) => normalizeBaseUrl(new URL(status.url))));
    const removals = this.#pool.urls.filter((url) => !listed.has(url));
    this.#notAllowedListed.clear();
    this.applyStatusChanges({ upserts: snapshot.servers, removals }, snapshot.generatedAt);
  }

  /** See `Balancer.applyStatusChanges`. */
  applyStatusChanges(
    changes: { readonly upserts: readonly ServerStatus[]; readonly removals: readonly string[] },
    generatedAt: string,
  ): void {
    const pool = this.#pool;
    const removed = new Set<string>();
    const added = new Map<string, ServerState>();
    // O(changes): a watch applies one key at a time, and the pool may hold thousands of servers.
    const find = (url: string) => (removed.has(url) ? undefined : (added.get(url) ?? pool.find(url)));
    for (const removal of changes.removals) {
      const url = normalizeBaseUrl(new URL(removal));
      this.#notAllowedListed.delete(url);
      const server = find(url);
      if (server === undefined) continue;
      if (pool.staticUrls.has(url)) {
        server.forgetStatus();
      } else {
        removed.add(url);
        this.#events.emit('serverRemoved', { server: url });
      }
    }
    for (const status of changes.upserts) {
      const url = normalizeBaseUrl(new URL(status.url));
      let server = find(url);
      if (server === undefined) {
        if (!this.#allow(url)) {
          this.#refuse(url);
          continue;
        }
        server = pool.create(url);
        server.warmingSince = this.#now();
        added.set(url, server);
        this.#events.emit('serverAdded', { server: url });
      }
      const before = server.statusState;
      server.applyStatus(status);
      this.#emitTransition(server, before);
    }
    if (removed.size > 0 || added.size > 0) {
      pool.replace([...pool.servers.filter((server) => !removed.has(server.url)), ...added.values()]);
    }
    this.#generatedAt = generatedAt;
    this.#succeeded(true);
  }

  /** See `Balancer.confirmStatus`. */
  confirmStatus(): void {
    this.#succeeded(false);
  }

  /** See `Balancer.statusFailed`. */
  statusFailed(error: SoapBalancerError): void {
    this.#failures++;
    this.#events.emit('statusError', { error, consecutiveFailures: this.#failures });
  }

  /** See `Balancer.expireStatus`. */
  expireStatus(ageMs: number): void {
    for (const server of this.#pool.servers) server.forgetStatus();
    this.#events.emit('statusExpired', { ageMs });
  }

  #succeeded(changed: boolean): void {
    if (this.#failures > 0) {
      this.#events.emit('statusRecovered', { afterFailures: this.#failures });
      this.#failures = 0;
    }
    this.#events.emit('statusUpdate', {
      changed,
      servers: this.#pool.servers.length,
      generatedAt: this.#generatedAt,
      notAllowed: this.#notAllowedListed.size,
    });
  }

  /** A listed server the allow rule refuses: counted while listed, reported once per URL. */
  #refuse(url: string): void {
    if (this.#notAllowedListed.size < maxRemembered) this.#notAllowedListed.add(url);
    if (this.#notAllowedSeen.has(url) || this.#notAllowedSeen.size >= maxRemembered) return;
    this.#notAllowedSeen.add(url);
    this.#events.emit('serverNotAllowed', { server: url });
  }

  #emitTransition(server: ServerState, before: ServerState['statusState']): void {
    const after = server.statusState;
    if (after === before) return;
    if (after === 'up') {
      if (before === undefined) return;
      server.warmingSince = this.#now();
      this.#events.emit('serverUp', { server: server.url, source: 'status' });
    } else if (after !== undefined) {
      this.#events.emit('serverDown', { server: server.url, source: 'status', state: after });
    }
  }
}
