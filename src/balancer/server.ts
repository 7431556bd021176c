import type { ServerHealthState } from '../status/schema.js';
import { PeakEwma } from './latency.js';

/**
 * What every server's cost is computed against, set by the Balancer before each pick, so that a
 * policy reads `cost` as a plain field and a pick stays O(servers it looks at).
 */
export interface PoolContext {
  /** Epoch ms of the pick in progress. */
  now: number;
  /** Response time assumed for a server this client has no sample of yet: the pool's average. */
  defaultLatencyMs: number;
}

/** How fast a server's latency average forgets: after this long without samples, weight 1/e. */
const latencyDecayMs = 10_000;

/** What a selection policy may read of a server. */
export interface ServerView {
  /** Normalized base URL; also the server's identity in the pool. */
  readonly url: string;
  /** Calls this client has in flight to the server right now. */
  readonly inFlight: number;
  /**
   * The expected cost of one more call there, lower is better: `(occupancy + 1) × latency`. Occupancy
   * is the monitor's `load` (requests per capacity slot) from its latest fresh status, corrected by
   * the calls this client started or finished there since; without (fresh) status, this client's
   * `inFlight`. Latency is this client's peak-sensitive moving average of the server's response times
   * (ms), decaying while the server gets no calls; the pool's average before a first sample.
   */
  readonly cost: number;
}

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
   * Whether calls may go there now: `down` while this client's own backoff after a failure runs, or
   * when the monitor's fresh status says so; `draining` when the monitor says so.
   */
  readonly state: ServerHealthState;
  /** The monitor's view: its state and load score; `undefined` without a fresh monitor status. */
  readonly monitor: { readonly state: ServerHealthState; readonly load: number } | undefined;
  /** Epoch ms when this client's backoff for the server ends; 0 when not backing off. */
  readonly downUntil: number;
  readonly consecutiveFailures: number;
  /** Calls (and WSDL fetches) the server answered. */
  readonly served: number;
  /** Attempts on the server that failed at the transport level (refused, reset, timeout, 502/503/504). */
  readonly failed: number;
}

/** Mutable per-server state, owned by the Balancer. */
export class ServerState implements ServerView {
  inFlight = 0;
  downUntil = 0;
  consecutiveFailures = 0;
  served = 0;
  failed = 0;
  /** The monitor's latest fresh word on the server; `undefined` without one. */
  monitorState: ServerHealthState | undefined;
  /** The monitor's load score; 0 without fresh status. */
  load = 0;
  /** Slots the load is counted in, so that this client's own calls can be added in the same unit. */
  capacity = 1;
  /** This client's `inFlight` when the status was applied: the monitor's load already counts those. */
  inFlightAtStatus = 0;
  readonly #latency = new PeakEwma(latencyDecayMs);
  readonly #pool: PoolContext;

  constructor(
    readonly url: string,
    pool: PoolContext,
  ) {
    this.#pool = pool;
  }

  get cost(): number {
    const occupancy = Math.max(0, this.load + (this.inFlight - this.inFlightAtStatus) / this.capacity);
    const latency = this.#latency.sampled
      ? this.#latency.valueAt(this.#pool.now)
      : this.#pool.defaultLatencyMs;
    return (occupancy + 1) * latency;
  }

  /** A response time this client measured, from sending to the response headers. */
  observeLatency(latencyMs: number, now: number): void {
    this.#latency.observe(latencyMs, now);
  }

  isUsable(now: number): boolean {
    return this.downUntil <= now && (this.monitorState === undefined || this.monitorState === 'up');
  }

  /** Takes the monitor's view of the server. */
  applyStatus(state: ServerHealthState, load: number, capacity: number | null): void {
    this.monitorState = state;
    this.load = load;
    this.capacity = capacity ?? 1;
    this.inFlightAtStatus = this.inFlight;
  }

  /** Forgets the monitor's view (it is too old to trust): only this client's own evidence counts. */
  forgetStatus(): void {
    this.monitorState = undefined;
    this.load = 0;
    this.capacity = 1;
    this.inFlightAtStatus = 0;
  }

  toInfo(now: number): ServerInfo {
    const backingOff = this.downUntil > now;
    return {
      url: this.url,
      inFlight: this.inFlight,
      cost: this.cost,
      latencyMs: this.#latency.sampled ? this.#latency.valueAt(now) : undefined,
      state: backingOff ? 'down' : (this.monitorState ?? 'up'),
      monitor: this.monitorState === undefined ? undefined : { state: this.monitorState, load: this.load },
      downUntil: backingOff ? this.downUntil : 0,
      consecutiveFailures: this.consecutiveFailures,
      served: this.served,
      failed: this.failed,
    };
  }
}
