import type { ServerHealthState } from '../status/schema.js';

/** What a selection policy may read of a server. */
export interface ServerView {
  /** Normalized base URL; also the server's identity in the pool. */
  readonly url: string;
  /** Calls this client has in flight to the server right now. */
  readonly inFlight: number;
  /**
   * How busy the server is, as this client best knows, in requests per capacity slot (>= 0, lower is
   * less busy): the monitor's `load` from its latest fresh status, corrected by the calls this client
   * started or finished there since; without (fresh) status, just `inFlight`.
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

  constructor(readonly url: string) {}

  get cost(): number {
    const cost = this.load + (this.inFlight - this.inFlightAtStatus) / this.capacity;
    return Math.max(0, cost);
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
      state: backingOff ? 'down' : (this.monitorState ?? 'up'),
      monitor: this.monitorState === undefined ? undefined : { state: this.monitorState, load: this.load },
      downUntil: backingOff ? this.downUntil : 0,
      consecutiveFailures: this.consecutiveFailures,
      served: this.served,
      failed: this.failed,
    };
  }
}
