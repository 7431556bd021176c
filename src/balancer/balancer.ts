import { EventEmitter } from 'node:events';
import type { FailureKind } from '../errors.js';
import type { StatusSnapshot } from '../status/schema.js';
import { normalizeBaseUrl } from '../urls.js';
import type { BalancerEvents } from './events.js';
import type { SelectionPolicy } from './policy.js';
import { type PoolContext, type ServerInfo, ServerState, type ServerView } from './server.js';

export interface BalancerOptions {
  /** Servers always in the pool, whatever the monitor says (the monitor may add others). */
  readonly servers: readonly string[];
  readonly policy: SelectionPolicy;
  readonly downBackoffMs: number;
  readonly maxDownBackoffMs: number;
  /** Clock, for tests. */
  readonly now?: () => number;
  /** Random source in [0, 1) for backoff jitter, for tests. */
  readonly random?: () => number;
}

/**
 * Owns the pool: each server's in-flight count and health, from this client's own evidence and from
 * the monitor's status. Selection is delegated to the policy. A server that fails is skipped until its
 * backoff (doubling per consecutive failure, with jitter so that many clients don't return to it at
 * the same instant) has passed; the client's own evidence wins over a monitor that says "up".
 */
export class Balancer extends EventEmitter<BalancerEvents> {
  #servers: ServerState[];
  #urls: readonly string[];
  readonly #staticUrls: ReadonlySet<string>;
  readonly #policy: SelectionPolicy;
  readonly #downBackoffMs: number;
  readonly #maxDownBackoffMs: number;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #pool: PoolContext = { now: 0, defaultLatencyMs: 1 };
  #latencySamples = 0;

  constructor(options: BalancerOptions) {
    super();
    this.#servers = options.servers.map((url) => new ServerState(url, this.#pool));
    this.#urls = options.servers;
    this.#staticUrls = new Set(options.servers);
    this.#policy = options.policy;
    this.#downBackoffMs = options.downBackoffMs;
    this.#maxDownBackoffMs = options.maxDownBackoffMs;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  /** Base URLs of every server in the pool, up or down. */
  get urls(): readonly string[] {
    return this.#urls;
  }

  get policyName(): string {
    return this.#policy.name;
  }

  /** A snapshot of every server's state. */
  servers(): ServerInfo[] {
    const now = this.#now();
    this.#pool.now = now;
    return this.#servers.map((server) => server.toInfo(now));
  }

  /** Picks a usable server not in `exclude`, or `undefined` when there is none. */
  pick(exclude: ReadonlySet<ServerState>): ServerState | undefined {
    const now = this.#now();
    this.#pool.now = now;
    const isEligible = (server: ServerView): boolean =>
      (server as ServerState).isUsable(now) && !exclude.has(server as ServerState);
    return this.#policy.pick(this.#servers, isEligible) as ServerState | undefined;
  }

  /** Counts a request as in flight on `server` until `release`. */
  acquire(server: ServerState): void {
    server.inFlight++;
  }

  release(server: ServerState): void {
    server.inFlight = Math.max(0, server.inFlight - 1);
  }

  /**
   * The server answered (any HTTP answer other than 502/503/504 counts), `latencyMs` after the
   * request was sent.
   */
  reportSuccess(server: ServerState, latencyMs: number): void {
    server.served++;
    const now = this.#now();
    server.observeLatency(latencyMs, now);
    // The pool's average stands in for servers not sampled yet; the first samples weigh most.
    this.#latencySamples = Math.min(this.#latencySamples + 1, 100);
    const weight = this.#latencySamples === 1 ? 1 : 1 / this.#latencySamples;
    this.#pool.defaultLatencyMs += (latencyMs - this.#pool.defaultLatencyMs) * weight;
    if (server.consecutiveFailures === 0) return;
    server.consecutiveFailures = 0;
    server.downUntil = 0;
    this.emit('serverUp', { server: server.url, source: 'client' });
  }

  /** The server failed at the transport level: mark it down for a backoff (`serverDown` if it was up). */
  reportFailure(server: ServerState, failure: FailureKind): void {
    server.failed++;
    // Calls in flight when a server dies fail one after another: that is one outage, not several, so
    // only a failure after the backoff ran out (a retry that failed) doubles it and is an event.
    const now = this.#now();
    if (server.downUntil > now) return;
    server.consecutiveFailures++;
    const exponent = Math.min(server.consecutiveFailures - 1, 20);
    const backoff = Math.min(this.#maxDownBackoffMs, this.#downBackoffMs * 2 ** exponent);
    const jittered = backoff * (0.8 + 0.4 * this.#random());
    server.downUntil = now + Math.round(jittered);
    this.emit('serverDown', {
      server: server.url,
      source: 'client',
      failure,
      until: server.downUntil,
      consecutiveFailures: server.consecutiveFailures,
    });
  }

  /**
   * Takes the monitor's snapshot: its servers join the pool (servers it no longer lists leave it,
   * unless given in `servers`), and their state and load steer selection.
   */
  applyStatus(snapshot: StatusSnapshot): void {
    const byUrl = new Map(this.#servers.map((server) => [server.url, server]));
    const next: ServerState[] = [];
    const listed = new Set<string>();
    for (const status of snapshot.servers) {
      const url = normalizeBaseUrl(new URL(status.url));
      if (listed.has(url)) continue;
      listed.add(url);
      let server = byUrl.get(url);
      if (server === undefined) {
        server = new ServerState(url, this.#pool);
        this.emit('serverAdded', { server: url });
      }
      const before = server.monitorState;
      server.applyStatus(status.state, status.load, status.capacity);
      this.#emitMonitorTransition(server, before);
      next.push(server);
    }
    for (const server of this.#servers) {
      if (listed.has(server.url)) continue;
      if (this.#staticUrls.has(server.url)) {
        server.forgetStatus();
        next.push(server);
      } else {
        this.emit('serverRemoved', { server: server.url });
      }
    }
    this.#servers = next;
    this.#urls = next.map((server) => server.url);
  }

  /** Forgets the monitor's view (too old to trust); the pool stays as it was. */
  forgetStatus(): void {
    for (const server of this.#servers) server.forgetStatus();
  }

  #emitMonitorTransition(server: ServerState, before: ServerState['monitorState']): void {
    const after = server.monitorState;
    if (after === before) return;
    if (after === 'up') {
      if (before !== undefined) this.emit('serverUp', { server: server.url, source: 'monitor' });
    } else if (after !== undefined) {
      this.emit('serverDown', { server: server.url, source: 'monitor', state: after });
    }
  }
}
