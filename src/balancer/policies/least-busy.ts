import type { PickView, SelectionPolicy, ServerView } from '../policy.js';
import { leastCostOf } from './scan.js';

export interface LeastBusyOptions {
  /**
   * How many distinct eligible servers to sample per pick; the least busy of them wins ("power of
   * two choices" at 2). `Infinity` compares every server. Sampling keeps many clients, acting on the
   * same status between two refreshes, from all sending their next calls to the one server that
   * looked idle, and keeps a pick constant-time on large pools.
   * @default 2
   */
  readonly choices?: number;
  /** Random source in [0, 1), for tests. @default Math.random */
  readonly random?: () => number;
}

/**
 * Picks the least busy server by {@link ServerView.cost} (the monitor's load corrected by this
 * client's own calls in flight; just those without a monitor) among `choices` sampled servers.
 * Pools no larger than `choices` are scanned in full; ties go to each tied server equally often.
 */
export class LeastBusyPolicy implements SelectionPolicy {
  readonly name = 'least-busy';
  readonly #choices: number;
  readonly #random: () => number;
  /** Indices sampled in the current pick; reused, as a pick must not allocate. */
  readonly #sampled: number[] = [];

  constructor(options: LeastBusyOptions = {}) {
    const choices = options.choices ?? 2;
    if (!(choices === Number.POSITIVE_INFINITY || (Number.isSafeInteger(choices) && choices >= 1))) {
      throw new RangeError(
        `Expected \`choices\` to be an integer >= 1 or Infinity, got \`${String(choices)}\``,
      );
    }
    this.#choices = choices;
    this.#random = options.random ?? Math.random;
  }

  pick(view: PickView): ServerView | undefined {
    const { servers } = view;
    const count = servers.length;
    if (count <= this.#choices) return leastCostOf(view, this.#random);
    const sampled = this.#sampled;
    sampled.length = 0;
    let best: ServerView | undefined;
    let bestCost = Number.POSITIVE_INFINITY;
    let eligible = 0;
    let ties = 0;
    // A bounded number of draws: with most servers ineligible, fall back to the exact scan below.
    for (let draw = 0; eligible < this.#choices && draw < this.#choices * 4; draw++) {
      const index = Math.floor(this.#random() * count);
      if (sampled.includes(index)) continue;
      sampled.push(index);
      const server = servers[index] as ServerView;
      if (!view.isEligible(server)) continue;
      eligible++;
      const cost = server.cost;
      if (cost < bestCost) {
        best = server;
        bestCost = cost;
        ties = 1;
      } else if (cost === bestCost && this.#random() * ++ties < 1) {
        best = server;
      }
    }
    return eligible === this.#choices ? best : leastCostOf(view, this.#random);
  }
}
