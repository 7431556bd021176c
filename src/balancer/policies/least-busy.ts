import type { SelectionPolicy } from '../policy.js';
import type { ServerView } from '../server.js';

export interface LeastBusyOptions {
  /** Random source in [0, 1), for tests. @default Math.random */
  readonly random?: () => number;
}

/**
 * Picks the eligible server with the fewest calls in flight from this client. Ties are broken by
 * reservoir sampling, so each tied server is equally likely, whatever the order or eligibility of
 * the others.
 */
export class LeastBusyPolicy implements SelectionPolicy {
  readonly name = 'least-busy';
  readonly #random: () => number;

  constructor(options: LeastBusyOptions = {}) {
    this.#random = options.random ?? Math.random;
  }

  pick(servers: readonly ServerView[], isEligible: (server: ServerView) => boolean): ServerView | undefined {
    let best: ServerView | undefined;
    let ties = 0;
    for (const server of servers) {
      if (best !== undefined && server.inFlight > best.inFlight) continue;
      if (!isEligible(server)) continue;
      if (best === undefined || server.inFlight < best.inFlight) {
        best = server;
        ties = 1;
      } else if (this.#random() * ++ties < 1) {
        best = server;
      }
    }
    return best;
  }
}
