import type { SelectionPolicy } from '../policy.js';
import type { ServerView } from '../server.js';

export interface LeastBusyOptions {
  /** Random source in [0, 1), for tests. @default Math.random */
  readonly random?: () => number;
}

/**
 * Picks the eligible server with the fewest calls in flight from this client. The scan starts at a
 * random position, so ties go to each tied server equally often instead of always to the first one.
 */
export class LeastBusyPolicy implements SelectionPolicy {
  readonly name = 'least-busy';
  readonly #random: () => number;

  constructor(options: LeastBusyOptions = {}) {
    this.#random = options.random ?? Math.random;
  }

  pick(servers: readonly ServerView[], isEligible: (server: ServerView) => boolean): ServerView | undefined {
    const count = servers.length;
    if (count === 0) return undefined;
    const start = Math.floor(this.#random() * count) % count;
    let best: ServerView | undefined;
    for (let offset = 0; offset < count; offset++) {
      const server = servers[(start + offset) % count] as ServerView;
      if ((best === undefined || server.inFlight < best.inFlight) && isEligible(server)) best = server;
    }
    return best;
  }
}
