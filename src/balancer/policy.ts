import type { ServerView } from './server.js';

/**
 * Chooses a server for one request. Policies only choose: the Balancer owns the servers, their state
 * and the in-flight counts. Pass an instance (`policy: new LeastBusyPolicy()`) or your own object.
 */
export interface SelectionPolicy {
  /** Shown in events and logs. */
  readonly name: string;
  /**
   * Returns one of `servers` for which `isEligible` is true, or `undefined` when there is none.
   * Must not hold on to `servers` (the array may be reused).
   */
  pick(servers: readonly ServerView[], isEligible: (server: ServerView) => boolean): ServerView | undefined;
}
