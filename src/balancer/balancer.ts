import { EventEmitter } from 'node:events';
import type { FailureKind } from '../errors.js';
import type { SelectionPolicy } from './policy.js';
import { type ServerInfo, ServerState, type ServerView } from './server.js';

/** Emitted when a server is marked down after a failure. */
export interface ServerDownEvent {
  readonly server: string;
  readonly failure: FailureKind;
  /** Epoch ms when it will be tried again. */
  readonly until: number;
  readonly consecutiveFailures: number;
}

/** Emitted when a server that had failed answers again. */
export interface ServerUpEvent {
  readonly server: string;
}

/** Emitted when a call (or WSDL fetch) moves on to another server after a failed attempt. */
export interface FailoverEvent {
  /** The SOAP operation; `undefined` for a WSDL or schema fetch. */
  readonly operation: string | undefined;
  readonly from: string;
  readonly to: string;
  readonly failure: FailureKind;
  /** Number of the attempt about to be made (2 for the first failover). */
  readonly attempt: number;
}

/** The balancer's typed events. */
export interface BalancerEvents {
  serverDown: [ServerDownEvent];
  serverUp: [ServerUpEvent];
  failover: [FailoverEvent];
}

export interface BalancerOptions {
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
 * Owns the pool: each server's in-flight count and health. Selection is delegated to the policy.
 * Health is passive: a server that fails is skipped until its backoff (doubling per consecutive
 * failure, with jitter so that many clients don't return to it at the same instant) has passed.
 */
export class Balancer extends EventEmitter<BalancerEvents> {
  readonly #servers: ServerState[];
  readonly #urls: readonly string[];
  readonly #policy: SelectionPolicy;
  readonly #downBackoffMs: number;
  readonly #maxDownBackoffMs: number;
  readonly #now: () => number;
  readonly #random: () => number;

  constructor(options: BalancerOptions) {
    super();
    this.#servers = options.servers.map((url) => new ServerState(url));
    this.#urls = this.#servers.map((server) => server.url);
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
    return this.#servers.map((server) => server.toInfo(now));
  }

  /** Picks a usable server not in `exclude`, or `undefined` when there is none. */
  pick(exclude: ReadonlySet<ServerState>): ServerState | undefined {
    const now = this.#now();
    const isEligible = (server: ServerView): boolean =>
      !exclude.has(server as ServerState) && (server as ServerState).isUsable(now);
    return this.#policy.pick(this.#servers, isEligible) as ServerState | undefined;
  }

  /** Counts a request as in flight on `server` until `release`. */
  acquire(server: ServerState): void {
    server.inFlight++;
  }

  release(server: ServerState): void {
    server.inFlight = Math.max(0, server.inFlight - 1);
  }

  /** The server answered (any HTTP answer other than 502/503/504 counts). */
  reportSuccess(server: ServerState): void {
    server.served++;
    if (server.consecutiveFailures === 0) return;
    server.consecutiveFailures = 0;
    server.downUntil = 0;
    this.emit('serverUp', { server: server.url });
  }

  /** The server failed at the transport level: mark it down for a backoff. */
  reportFailure(server: ServerState, failure: FailureKind): void {
    server.failed++;
    server.consecutiveFailures++;
    const exponent = Math.min(server.consecutiveFailures - 1, 20);
    const backoff = Math.min(this.#maxDownBackoffMs, this.#downBackoffMs * 2 ** exponent);
    const jittered = backoff * (0.8 + 0.4 * this.#random());
    server.downUntil = this.#now() + Math.round(jittered);
    this.emit('serverDown', {
      server: server.url,
      failure,
      until: server.downUntil,
      consecutiveFailures: server.consecutiveFailures,
    });
  }
}
