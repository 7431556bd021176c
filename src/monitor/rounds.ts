import { performance } from 'node:perf_hooks';
import { maxTimerMs } from '../validate.js';

/**
 * Runs `task` on every item, at most `limit` at a time, and resolves when all are done. Stops taking
 * new items once `stopped()` is true (the monitor closed), so a closing monitor starts no probe.
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
  stopped: () => boolean,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !stopped()) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Delay before the next round: `intervalMs * (1 ± jitter)` after the previous start, less time spent,
 * and never more than a timer can wait (a longer one would fire after 1 ms).
 */
export function nextRoundDelay(
  intervalMs: number,
  jitter: number,
  random: number,
  elapsedMs: number,
): number {
  const interval = intervalMs * (1 + jitter * (2 * random - 1));
  return Math.min(maxTimerMs, Math.max(0, Math.round(interval - elapsedMs)));
}

/**
 * Runs `round` now and then again and again, each start `delayAfter(elapsedMs)` after the previous
 * start; rounds never overlap. The timer is unref'd: a monitor alone does not keep the process alive.
 */
export class RoundLoop {
  readonly #round: () => Promise<void>;
  readonly #delayAfter: (elapsedMs: number) => number;
  #current: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(round: () => Promise<void>, delayAfter: (elapsedMs: number) => number) {
    this.#round = round;
    this.#delayAfter = delayAfter;
  }

  /** Runs the first round; resolves when it is complete and the next is scheduled. */
  async start(): Promise<void> {
    if (this.#stopped) return;
    const startedAt = performance.now();
    this.#current = this.#round();
    await this.#current;
    if (this.#stopped) return;
    const delay = this.#delayAfter(performance.now() - startedAt);
    this.#timer = setTimeout(() => void this.start(), delay).unref();
  }

  /** Schedules no more rounds; resolves when the one running (if any) is over. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#current;
  }
}
