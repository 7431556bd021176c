import { EventEmitter } from 'node:events';
import type { AttemptFailure, FailureKind, SoapBalancerError } from '../errors.js';
import type { ResponseLoad } from '../load-report/orca.js';
import type { ServerStatus, StatusSnapshot } from '../status/schema.js';
import type { AllowRule } from './allow-rule.js';
import type { BalancerEvents } from './events.js';
import { Lease, type LeaseOutcomes, type PickResult } from './lease.js';
import { isEligible, ReusedPickView } from './pick-view.js';
import type { SelectionPolicy } from './policy.js';
import { RetryBudget, type RetryBudgetSettings } from './retry-budget.js';
import { ServerPool } from './server-pool.js';
import type { PickClock, ServerInfo, ServerState } from './server-state.js';
import { StatusIntake } from './status-intake.js';

export interface BalancerOptions {
  /** Servers always in the pool, whatever a status source says (it may add others). */
  readonly servers: readonly string[];
  readonly policy: SelectionPolicy;
  readonly downBackoffMs: number;
  readonly maxDownBackoffMs: number;
  /** Slow-start window for a server that joins or comes back (ms); 0: none. @default 0 */
  readonly slowStartMs?: number;
  /** Bounds this client's retries; `undefined`: unbounded. */
  readonly retryBudget?: RetryBudgetSettings | undefined;
  /** Which servers learned from a status source may join the pool. @default none */
  readonly allow?: AllowRule;
  /** Clock, for tests. */
  readonly now?: () => number;
  /** Random source in [0, 1) for backoff jitter, for tests. */
  readonly random?: () => number;
}

/** What one attempt of a call asks of `pick()`. */
export interface PickRequest {
  /** The SOAP operation; `undefined` for a WSDL or schema fetch. */
  readonly operation: string | undefined;
  /** Servers this call already tried (base URLs). */
  readonly exclude?: ReadonlySet<string>;
  /** The previous attempt's failure, when this pick moves the call on (a `failover` event). */
  readonly previous?: AttemptFailure;
  /** Number of the attempt (1 for the first). */
  readonly attempt?: number;
  /** Whether the retry budget applies: to calls, not to document fetches (GETs made once). @default true */
  readonly budgeted?: boolean;
}

const nothingExcluded: ReadonlySet<string> = new Set();

/**
 * How long a response's load header counts. Long enough to span the next few picks; short enough that
 * a server left alone because it was busy is soon judged again by this client's own figures.
 */
const responseLoadTtlMs = 1_000;

/**
 * Owns the pool: each server's in-flight count and health, from this client's own evidence and from
 * status sources, and every event about them. Selection is delegated to the policy; each attempt
 * holds a {@link Lease} from `pick()` until it ends. A server that fails is skipped until its backoff
 * (doubling per consecutive failure, with jitter so that many clients don't return to it at the same
 * instant) has passed, or for as long as its `Retry-After` asked; the client's own evidence wins over a
 * status that says "up".
 */
export class Balancer {
  readonly #events = new EventEmitter<BalancerEvents>();
  readonly #pool: ServerPool;
  readonly #intake: StatusIntake;
  readonly #policy: SelectionPolicy;
  readonly #downBackoffMs: number;
  readonly #maxDownBackoffMs: number;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #clock: PickClock;
  readonly #pickView: ReusedPickView;
  readonly #retryBudget: RetryBudget | undefined;
  readonly #outcomes: LeaseOutcomes = {
    succeeded: (server, latencyMs, load) => this.#succeeded(server, latencyMs, load),
    failed: (server, failure, retryAfterMs) => this.#failed(server, failure, retryAfterMs),
  };
  #latencySamples = 0;

  constructor(options: BalancerOptions) {
    this.#clock = { now: 0, defaultLatencyMs: 1, slowStartMs: options.slowStartMs ?? 0 };
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#pool = new ServerPool(options.servers, this.#clock);
    this.#intake = new StatusIntake(this.#pool, this.#events, options.allow ?? (() => false), this.#now);
    this.#policy = options.policy;
    this.#downBackoffMs = options.downBackoffMs;
    this.#maxDownBackoffMs = options.maxDownBackoffMs;
    this.#pickView = new ReusedPickView(this.#pool);
    this.#retryBudget = options.retryBudget && new RetryBudget(options.retryBudget, this.#now);
  }

  /** Base URLs of every server in the pool, up or down. */
  get urls(): readonly string[] {
    return this.#pool.urls;
  }

  get policyName(): string {
    return this.#policy.name;
  }

  on<E extends keyof BalancerEvents>(event: E, listener: (...args: BalancerEvents[E]) => void): void {
    this.#events.on(event, listener as never);
  }

  off<E extends keyof BalancerEvents>(event: E, listener: (...args: BalancerEvents[E]) => void): void {
    this.#events.off(event, listener as never);
  }

  /** Drops every listener: the client is closed. */
  close(): void {
    this.#events.removeAllListeners();
  }

  /** A snapshot of every server's state. */
  servers(): ServerInfo[] {
    const now = this.#now();
    this.#clock.now = now;
    return this.#pool.servers.map((server) => server.toInfo(now));
  }

  /**
   * Picks a usable server the call has not tried yet and leases it: the call counts as in flight
   * there until the lease is released or failed.
   * @throws {TypeError} when the policy returns a server that was not eligible.
   */
  pick(request: PickRequest): PickResult {
    const { previous } = request;
    const budget = request.budgeted === false ? undefined : this.#retryBudget;
    if (previous === undefined) budget?.deposit();
    else if (budget && !budget.tryWithdraw()) return { type: 'retry-budget-spent' };
    const now = this.#now();
    this.#clock.now = now;
    const view = this.#pickView.begin(request.exclude, now);
    const chosen = this.#policy.pick(view);
    view.end();
    if (chosen === undefined) return { type: 'unavailable' };
    const server = this.#pool.stateOf(chosen);
    if (server === undefined || !isEligible(server, request.exclude ?? nothingExcluded, now)) {
      throw new TypeError(`Policy \`${this.#policy.name}\` returned a server that was not eligible`);
    }
    if (previous !== undefined) {
      this.#events.emit('failover', {
        operation: request.operation,
        from: previous.server,
        to: server.url,
        failure: previous.failure,
        attempt: request.attempt ?? 2,
      });
    }
    server.inFlight++;
    return { type: 'picked', lease: new Lease(server, this.#outcomes) };
  }

  /** The server answered (see `FailureKind` for what does not count), `latencyMs` after sending. */
  #succeeded(server: ServerState, latencyMs: number, load: ResponseLoad | undefined): void {
    server.served++;
    const now = this.#now();
    server.observeLatency(latencyMs, now);
    if (load !== undefined) server.applyResponseLoad(load, now + responseLoadTtlMs);
    // The pool's average stands in for servers not sampled yet; the first samples weigh most.
    this.#latencySamples = Math.min(this.#latencySamples + 1, 100);
    const weight = this.#latencySamples === 1 ? 1 : 1 / this.#latencySamples;
    this.#clock.defaultLatencyMs += (latencyMs - this.#clock.defaultLatencyMs) * weight;
    if (server.consecutiveFailures === 0) return;
    server.consecutiveFailures = 0;
    server.downUntil = 0;
    server.warmingSince = now;
    this.#events.emit('serverUp', { server: server.url, source: 'client' });
  }

  /** The attempt failed: mark the server down for a backoff, or for the `Retry-After` it asked. */
  #failed(server: ServerState, failure: FailureKind, retryAfterMs: number | undefined): void {
    server.failed++;
    const now = this.#now();
    // Calls in flight when a server dies (or starts refusing) fail one after another: that is one
    // outage, not several, so only a failure after the backoff ran out (a retry that failed) doubles
    // it and is an event.
    const alreadyDown = server.downUntil > now;
    if (retryAfterMs !== undefined) {
      // The server said how long: honoured up to the longest backoff, never shortening a backoff.
      server.downUntil = Math.max(server.downUntil, now + Math.min(retryAfterMs, this.#maxDownBackoffMs));
      if (alreadyDown) return;
      server.consecutiveFailures++;
      this.#emitDown(server, failure, retryAfterMs);
      return;
    }
    if (alreadyDown) return;
    server.consecutiveFailures++;
    const exponent = Math.min(server.consecutiveFailures - 1, 20);
    const backoff = Math.min(this.#maxDownBackoffMs, this.#downBackoffMs * 2 ** exponent);
    server.downUntil = now + Math.round(backoff * (0.8 + 0.4 * this.#random()));
    this.#emitDown(server, failure, undefined);
  }

  #emitDown(server: ServerState, failure: FailureKind, retryAfterMs: number | undefined): void {
    this.#events.emit('serverDown', {
      server: server.url,
      source: 'client',
      failure,
      until: server.downUntil,
      consecutiveFailures: server.consecutiveFailures,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }

  // --- What status sources report, through the one intake (allow rule, events) every source shares.

  /**
   * Takes a whole status snapshot: its servers that the allow rule admits join the pool (servers it
   * no longer lists leave it, unless given in `servers`), and their state and load steer selection.
   */
  applyStatus(snapshot: StatusSnapshot): void {
    this.#intake.applyStatus(snapshot);
  }

  /**
   * Takes what changed since the last status, for sources that learn of servers one by one (a watch):
   * `upserts` are listed, new or updated (the allow rule decides whether a new one joins), `removals`
   * (base URLs) are no longer listed (they leave, unless given in `servers`).
   */
  applyStatusChanges(
    changes: { readonly upserts: readonly ServerStatus[]; readonly removals: readonly string[] },
    generatedAt: string,
  ): void {
    this.#intake.applyStatusChanges(changes, generatedAt);
  }

  /** The status source confirmed that the status in hand is current (an HTTP 304). */
  confirmStatus(): void {
    this.#intake.confirmStatus();
  }

  /** A status request failed; the pool and the status in hand stay as they are. */
  statusFailed(error: SoapBalancerError): void {
    this.#intake.statusFailed(error);
  }

  /** The status in hand is `ageMs` old, too old to trust: only this client's own evidence counts now. */
  expireStatus(ageMs: number): void {
    this.#intake.expireStatus(ageMs);
  }
}
