import type { PickView, ServerView } from './policy.js';
import type { ServerPool } from './server-pool.js';
import type { ServerState } from './server-state.js';

const nothingExcluded: ReadonlySet<string> = new Set();

/** Whether a server may get a request now: usable, and not already tried by the call. */
export function isEligible(server: ServerState, exclude: ReadonlySet<string>, now: number): boolean {
  return server.isUsable(now) && !exclude.has(server.url);
}

/** The one PickView of a Balancer, set up for each pick, so that a pick allocates nothing for it. */
export class ReusedPickView implements PickView {
  servers: readonly ServerView[] = [];
  readonly #pool: ServerPool;
  #exclude: ReadonlySet<string> = nothingExcluded;
  #now = 0;

  constructor(pool: ServerPool) {
    this.#pool = pool;
  }

  begin(exclude: ReadonlySet<string> | undefined, now: number): this {
    this.servers = this.#pool.views;
    this.#exclude = exclude ?? nothingExcluded;
    this.#now = now;
    return this;
  }

  end(): void {
    this.#exclude = nothingExcluded;
  }

  readonly isEligible = (view: ServerView): boolean => {
    const server = this.#pool.stateOf(view);
    return server !== undefined && isEligible(server, this.#exclude, this.#now);
  };
}
