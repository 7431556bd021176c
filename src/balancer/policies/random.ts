import type { PickView, SelectionPolicy, ServerView } from '../policy.js';
import { randomEligibleOf } from './scan.js';

export interface RandomOptions {
  /** Random source in [0, 1), for tests. @default Math.random */
  readonly random?: () => number;
}

/** A uniformly random eligible server, ignoring load. */
export class RandomPolicy implements SelectionPolicy {
  readonly name = 'random';
  readonly #random: () => number;

  constructor(options: RandomOptions = {}) {
    this.#random = options.random ?? Math.random;
  }

  pick(view: PickView): ServerView | undefined {
    const { servers } = view;
    // A few direct draws are enough when most servers are eligible; the scan handles the rest.
    for (let draw = 0; draw < 4 && servers.length > 0; draw++) {
      const server = servers[Math.floor(this.#random() * servers.length)] as ServerView;
      if (view.isEligible(server)) return server;
    }
    return randomEligibleOf(view, this.#random);
  }
}
