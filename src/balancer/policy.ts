/** What a selection policy sees of one server during a pick: read-only, computed for that pick. */
export interface ServerView {
  /** Normalized base URL; also the server's identity in the pool. */
  readonly url: string;
  /** Calls this client has in flight to the server right now. */
  readonly inFlight: number;
  /**
   * The expected cost of one more call there, at the instant of this pick; lower is better:
   * `(occupancy + 1) × latency`. Occupancy is the server's own latest word on its load (requests per
   * capacity slot, from a fresh status or a recent answer's `endpoint-load-metrics` header), corrected
   * by the calls this client started or finished there since; without one, this client's `inFlight`.
   * On a server known to have a slot free (nothing waits there), occupancy counts half. Latency is this client's peak-sensitive moving
   * average of the server's response times (ms), decaying while the server gets no calls; the pool's
   * average before a first sample.
   */
  readonly cost: number;
}

/** The pool as one pick sees it. Valid only during the `pick()` call it is passed to. */
export interface PickView {
  /** Every server in the pool, usable or not, in a stable order (the order servers joined the pool). */
  readonly servers: readonly ServerView[];
  /** Whether `server` may get this request: not down, not draining, not already tried by this call. */
  isEligible(server: ServerView): boolean;
}

/**
 * Chooses a server for one request. Policies only choose: the Balancer owns the servers, their state
 * and the in-flight counts. Pass an instance (`policy: new LeastBusyPolicy()`) or your own object.
 */
export interface SelectionPolicy {
  /** Shown in events and logs. */
  readonly name: string;
  /**
   * Returns one of `view.servers` for which `view.isEligible` is true, or `undefined` when there is
   * none. Must not hold on to the view or its servers: both are reused by the next pick.
   */
  pick(view: PickView): ServerView | undefined;
}
