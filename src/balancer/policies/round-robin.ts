import type { SelectionPolicy } from '../policy.js';
import type { ServerView } from '../server.js';

export interface RoundRobinOptions {
  /** Random source in [0, 1) for the starting position, for tests. @default Math.random */
  readonly random?: () => number;
}

/**
 * Each eligible server in turn, ignoring load. Starts at a random position (so that many clients
 * don't all begin with the first server) and keeps its position when the pool changes.
 */
export class RoundRobinPolicy implements SelectionPolicy {
  readonly name = 'round-robin';
  #next: number;

  constructor(options: RoundRobinOptions = {}) {
    this.#next = Math.floor((options.random ?? Math.random)() * 2 ** 31);
  }

  pick(servers: readonly ServerView[], isEligible: (server: ServerView) => boolean): ServerView | undefined {
    const count = servers.length;
    for (let step = 0; step < count; step++) {
      const index = (this.#next + step) % count;
      const server = servers[index] as ServerView;
      if (isEligible(server)) {
        this.#next = index + 1;
        return server;
      }
    }
    return undefined;
  }
}
