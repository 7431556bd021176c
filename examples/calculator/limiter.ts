// What a Calculator operation may wait for: a slot (Limiter), a test's hold (Gate), its delay (Sleeper).
// Each can drop its waiters, as a killed process would: a dropped wait never settles, and since a
// pending promise holds no timer or socket, nothing is left that keeps the process alive.

/** Runs at most `capacity` tasks at once; the others wait in arrival order. */
export class Limiter {
  readonly #capacity: number;
  readonly #waiting: (() => void)[] = [];
  #running = 0;

  /** @param capacity an integer >= 1, or `Infinity` for no limit. */
  constructor(capacity: number) {
    if (!(Number.isSafeInteger(capacity) || capacity === Number.POSITIVE_INFINITY) || capacity < 1) {
      throw new RangeError(`Expected \`capacity\` to be an integer >= 1, got \`${capacity}\``);
    }
    this.#capacity = capacity;
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.#waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running < this.#capacity) this.#running++;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      // The slot passes straight to the next in line, so a newcomer cannot overtake it.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }

  /** Forgets the waiting tasks: they never run. */
  drop(): void {
    this.#waiting.length = 0;
  }
}

/** Stops whoever calls `pass()` while at least one hold is on. */
export class Gate {
  readonly #waiting: (() => void)[] = [];
  #holds = 0;

  /** Callers stopped at the gate now. */
  get held(): number {
    return this.#waiting.length;
  }

  /** Puts a hold on; the returned function takes it off (once; later calls do nothing). */
  hold(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      if (this.#holds === 0) for (const resolve of this.#waiting.splice(0)) resolve();
    };
  }

  /** Resolves at once without a hold, else when the last hold is released. */
  async pass(): Promise<void> {
    if (this.#holds > 0) await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** Forgets the stopped callers: they never pass. */
  drop(): void {
    this.#waiting.length = 0;
  }
}

/** Timed waits that can all be cancelled at once. */
export class Sleeper {
  readonly #timers = new Set<NodeJS.Timeout>();

  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }

  /** Cancels the pending waits: they never resolve. */
  drop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
