import type { PickView, SelectionPolicy, ServerView } from '../policy.js';

export interface RoundRobinOptions {
  /** Random source in [0, 1) for the starting position, for tests. @default Math.random */
  readonly random?: () => number;
}

/**
 * Each eligible server in turn, ignoring load. Starts at a random position (so that many clients
 * don't all begin with the first server) and keeps its position by server identity, as grpc-js's
 * round robin does across rebuilds: when servers join or leave, the turn goes on after the server
 * picked last, so no one's turn is skipped or repeated.
 */
export class RoundRobinPolicy implements SelectionPolicy {
  readonly name = 'round-robin';
  /** The server picked last, and where it was then (the list may have changed since). */
  #lastUrl: string | undefined;
  #lastIndex: number;

  constructor(options: RoundRobinOptions = {}) {
    this.#lastIndex = Math.floor((options.random ?? Math.random)() * 2 ** 31) - 1;
  }

  pick(view: PickView): ServerView | undefined {
    const { servers } = view;
    const count = servers.length;
    if (count === 0) return undefined;
    const start = this.#startIndex(servers);
    for (let step = 0; step < count; step++) {
      const index = (start + step) % count;
      const server = servers[index] as ServerView;
      if (view.isEligible(server)) {
        this.#lastUrl = server.url;
        this.#lastIndex = index;
        return server;
      }
    }
    return undefined;
  }

  /** Where this turn begins: just after the server picked last, wherever it is now. */
  #startIndex(servers: readonly ServerView[]): number {
    const count = servers.length;
    const last = this.#lastIndex % count;
    if (this.#lastUrl === undefined) return (last + 1) % count;
    if (servers[last]?.url === this.#lastUrl) return (last + 1) % count;
    const found = servers.findIndex((server) => server.url === this.#lastUrl);
    // Gone: the server that took its place (its successor, the list having closed up) is next.
    if (found === -1) return Math.min(this.#lastIndex, count) % count;
    return (found + 1) % count;
  }
}
