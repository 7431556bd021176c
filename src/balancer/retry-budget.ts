/** How many retries a client may make, as Finagle's RetryBudget: see {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /**
   * Retries allowed as a fraction of the calls made in the window.
   * @default 0.2
   */
  readonly percent?: number;
  /**
   * Retries allowed per second whatever the traffic, so that a quiet client can still fail over.
   * @default 10
   */
  readonly minPerSecond?: number;
  /**
   * The window calls and retries are counted over (ms), whole seconds.
   * @default 10000
   */
  readonly windowMs?: number;
}

export interface RetryBudgetSettings {
  readonly percent: number;
  readonly minPerSecond: number;
  readonly windowMs: number;
}

export const defaultRetryBudget: RetryBudgetSettings = { percent: 0.2, minPerSecond: 10, windowMs: 10_000 };

/**
 * Storm control: retries may be at most `percent` of the calls of the last `windowMs`, plus
 * `minPerSecond`. When a whole pool is sick, every client retrying every call would double the load
 * on what is left; with a budget, the extra load is bounded. Counts in one-second buckets, so that a
 * call and a retry cost O(1) and a check O(window in seconds).
 */
export class RetryBudget {
  readonly #settings: RetryBudgetSettings;
  readonly #now: () => number;
  readonly #calls: number[];
  readonly #retries: number[];
  /** The second each bucket counts; a bucket of an older second is stale and counts 0. */
  readonly #seconds: number[];

  constructor(settings: RetryBudgetSettings, now: () => number) {
    this.#settings = settings;
    this.#now = now;
    const buckets = Math.max(1, Math.ceil(settings.windowMs / 1000));
    this.#calls = new Array<number>(buckets).fill(0);
    this.#retries = new Array<number>(buckets).fill(0);
    this.#seconds = new Array<number>(buckets).fill(Number.NEGATIVE_INFINITY);
  }

  /** A call starts: it adds `percent` of a retry to the budget. */
  deposit(): void {
    const bucket = this.#bucket();
    this.#calls[bucket] = (this.#calls[bucket] as number) + 1;
  }

  /** Takes one retry from the budget; `false` when it is spent. */
  tryWithdraw(): boolean {
    const current = this.#bucket();
    const second = this.#seconds[current] as number;
    let calls = 0;
    let retries = 0;
    for (let i = 0; i < this.#seconds.length; i++) {
      if ((this.#seconds[i] as number) > second - this.#seconds.length) {
        calls += this.#calls[i] as number;
        retries += this.#retries[i] as number;
      }
    }
    const allowed = this.#settings.minPerSecond * this.#seconds.length + this.#settings.percent * calls;
    if (retries >= allowed) return false;
    this.#retries[current] = (this.#retries[current] as number) + 1;
    return true;
  }

  /** The bucket of the current second, emptied first when it still counts an older one. */
  #bucket(): number {
    const second = Math.floor(this.#now() / 1000);
    const index = second % this.#seconds.length;
    if (this.#seconds[index] !== second) {
      this.#seconds[index] = second;
      this.#calls[index] = 0;
      this.#retries[index] = 0;
    }
    return index;
  }
}
