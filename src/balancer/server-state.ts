import type { ResponseLoad } from '../load-report/orca.js';
import type { ServerHealthState, ServerStatus } from '../status/schema.js';
import { PeakEwma } from './latency.js';
import type { ServerView } from './policy.js';

/**
 * What every server's cost is computed against: set by the Balancer at the start of each pick, so
 * that a policy reads `cost` as a plain field and a pick stays O(servers it looks at).
 */
export interface PickClock {
  /** Epoch ms of the pick in progress. */
  now: number;
  /** Response time assumed for a server this client has no sample of yet: the pool's average. */
  defaultLatencyMs: number;
  /** The slow-start window (ms); 0: none. */
  readonly slowStartMs: number;
}

/** How much the occupancy of a server with a slot free counts (see `cost`). */
const freeSlotOccupancyWeight = 0.5;

/** The smallest share a warming server is given: its cost is at most this many times its own. */
const slowStartFloor = 0.1;

/** How fast a server's latency average forgets: after this long without samples, weight 1/e. */
const latencyDecayMs = 10_000;

/** A server's state as the balancer reports it to the application. */
export interface ServerInfo {
  readonly url: string;
  /** Calls this client has in flight to the server right now. */
  readonly inFlight: number;
  /** See {@link ServerView.cost}. */
  readonly cost: number;
  /** This client's moving average of the server's response times (ms); `undefined` before a sample. */
  readonly latencyMs: number | undefined;
  /**
   * Whether calls may go there now: `down` while this client's own backoff after a failure runs (or
   * a `Retry-After` the server sent), or when the status source's fresh status says so; `draining`
   * when the status source says so.
   */
  readonly state: ServerHealthState;
  /**
   * The server's own latest word on its load (requests per slot), from a fresh status or a recent
   * response's `endpoint-load-metrics` header; `undefined` when there is none.
   */
  readonly load: number | undefined;
  /** The status source's view: its state and load score; `undefined` without a fresh status. */
  readonly status: { readonly state: ServerHealthState; readonly load: number } | undefined;
  /** Epoch ms when this client's backoff for the server ends; 0 when not backing off. */
  readonly downUntil: number;
  readonly consecutiveFailures: number;
  /** Calls (and WSDL fetches) the server answered. */
  readonly served: number;
  /** Attempts on the server that failed (see `FailureKind`). */
  readonly failed: number;
}

/** Mutable per-server state. Owned by the Balancer: nothing else writes it. */
export class ServerState {
  inFlight = 0;
  downUntil = 0;
  consecutiveFailures = 0;
  served = 0;
  failed = 0;
  /** The status source's latest fresh word on the server; `undefined` without one. */
  statusState: ServerHealthState | undefined;
  /** The load score the server reported (through the status or a response header); 0 without one. */
  load = 0;
  /** Whether `load` is the server's own word (else it is 0 for want of one). */
  loadReported = false;
  /** Slots the load is counted in, so that this client's own calls can be added in the same unit. */
  capacity = 1;
  /** Whether the server said how many slots it has (else `capacity` is 1 for want of a figure). */
  slotsKnown = false;
  /** This client's `inFlight` when the status was applied: the status' load already counts those. */
  inFlightAtStatus = 0;
  /**
   * Epoch ms until which `load` counts: a status' load counts while the status is fresh (the source
   * expires it); a response's load header only briefly, as a server this client stops calling sends
   * no newer one, and an old high load must not keep it away for good.
   */
  loadExpiresAt = Number.POSITIVE_INFINITY;
  /** Epoch ms since when the server is back (it joined, or came back up); slow start ramps from there. */
  warmingSince = Number.NEGATIVE_INFINITY;
  /** The read-only face that policies see. */
  readonly view: ServerView;
  readonly #latency = new PeakEwma(latencyDecayMs);
  readonly #clock: PickClock;

  constructor(
    readonly url: string,
    clock: PickClock,
  ) {
    this.#clock = clock;
    this.view = new PolicyView(this);
  }

  /** See {@link ServerView.cost}; computed at the clock's `now`. */
  get cost(): number {
    const clock = this.#clock;
    const loadFresh = clock.now < this.loadExpiresAt;
    const occupancy = loadFresh
      ? Math.max(0, this.load + (this.inFlight - this.inFlightAtStatus) / this.capacity)
      : this.inFlight;
    const latency = this.#latency.sampled ? this.#latency.valueAt(clock.now) : clock.defaultLatencyMs;
    // A call to a server known to have a slot free starts at once: its occupancy only predicts some
    // contention there, so it weighs half. A slow replica's free slot is then used before calls queue on
    // the fast ones (no slot idles while calls wait), and servers with slots free still share the calls.
    const freeSlot = loadFresh && this.slotsKnown && occupancy * this.capacity < this.capacity - 0.5;
    const cost = (occupancy * (freeSlot ? freeSlotOccupancyWeight : 1) + 1) * latency;
    const warmingMs = clock.now - this.warmingSince;
    if (warmingMs >= clock.slowStartMs) return cost;
    // Slow start (as Envoy's): a server back in the pool looks dearer, less so as its window runs, so
    // that idle clients do not all send it their next call at once.
    return cost / Math.max(slowStartFloor, warmingMs / clock.slowStartMs);
  }

  /** A response time this client measured, from sending to the response headers. */
  observeLatency(latencyMs: number, now: number): void {
    this.#latency.observe(latencyMs, now);
  }

  isUsable(now: number): boolean {
    return this.downUntil <= now && (this.statusState === undefined || this.statusState === 'up');
  }

  /**
   * Takes the status source's view of the server. Its load counts only when the server reported it:
   * a load derived from probe latency would only repeat, late, what this client's own latency
   * average already knows, so then only the state counts.
   */
  applyStatus(status: ServerStatus): void {
    this.statusState = status.state;
    const reported = status.loadSource === 'report';
    this.load = reported ? status.load : 0;
    this.loadReported = reported;
    this.capacity = reported ? (status.capacity ?? 1) : 1;
    this.slotsKnown = reported && status.capacity !== null;
    this.inFlightAtStatus = reported ? this.inFlight : 0;
    this.loadExpiresAt = Number.POSITIVE_INFINITY;
  }

  /**
   * Takes the load a response's header reported (see `parseLoadMetrics`). It counts this client's
   * other calls in flight there already; the answered call itself, still counted here until its
   * lease is released, is not in it.
   */
  applyResponseLoad(load: ResponseLoad, expiresAt: number): void {
    this.load = load.utilization;
    this.loadReported = true;
    this.capacity = load.capacity ?? 1;
    this.slotsKnown = load.capacity !== undefined;
    this.inFlightAtStatus = this.inFlight - 1;
    this.loadExpiresAt = expiresAt;
  }

  /** Forgets the status source's view (it is too old to trust): only this client's own evidence counts. */
  forgetStatus(): void {
    this.statusState = undefined;
    this.load = 0;
    this.loadReported = false;
    this.capacity = 1;
    this.slotsKnown = false;
    this.inFlightAtStatus = 0;
    this.loadExpiresAt = Number.POSITIVE_INFINITY;
  }

  toInfo(now: number): ServerInfo {
    const backingOff = this.downUntil > now;
    return {
      url: this.url,
      inFlight: this.inFlight,
      cost: this.cost,
      latencyMs: this.#latency.sampled ? this.#latency.valueAt(now) : undefined,
      load: this.loadReported && now < this.loadExpiresAt ? this.load : undefined,
      state: backingOff ? 'down' : (this.statusState ?? 'up'),
      status: this.statusState === undefined ? undefined : { state: this.statusState, load: this.load },
      downUntil: backingOff ? this.downUntil : 0,
      consecutiveFailures: this.consecutiveFailures,
      served: this.served,
      failed: this.failed,
    };
  }
}

/** Read-only, so that a policy can neither change a server's state nor reach the object that holds it. */
class PolicyView implements ServerView {
  readonly #state: ServerState;

  constructor(state: ServerState) {
    this.#state = state;
  }

  get url(): string {
    return this.#state.url;
  }

  get inFlight(): number {
    return this.#state.inFlight;
  }

  get cost(): number {
    return this.#state.cost;
  }
}
