/** What a selection policy may read of a server. */
export interface ServerView {
  /** Normalized base URL; also the server's id. */
  readonly url: string;
  /** Calls this client has in flight to the server right now. */
  readonly inFlight: number;
}

/** A server's state as the balancer reports it to the application. */
export interface ServerInfo extends ServerView {
  /** `down` after a failure, until its backoff ends; then it is tried again. */
  readonly state: 'up' | 'down';
  /** Epoch ms when a down server becomes eligible again; 0 when up. */
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

  constructor(readonly url: string) {}

  isUsable(now: number): boolean {
    return this.downUntil <= now;
  }

  toInfo(now: number): ServerInfo {
    return {
      url: this.url,
      inFlight: this.inFlight,
      state: this.isUsable(now) ? 'up' : 'down',
      downUntil: this.isUsable(now) ? 0 : this.downUntil,
      consecutiveFailures: this.consecutiveFailures,
      served: this.served,
      failed: this.failed,
    };
  }
}
