/**
 * A server's response time as this client sees it: a moving average that jumps up at once to a slower
 * sample and comes down gradually ("peak EWMA", as in Finagle and Linkerd), and that decays toward 0
 * while no sample arrives, so that a server which was slow once is tried again after a while instead
 * of being shunned forever.
 */
export class PeakEwma {
  readonly #decayMs: number;
  #value = 0;
  #stamp = 0;
  #sampled = false;

  /** @param decayMs time constant of the decay: after it, an old value weighs 1/e. */
  constructor(decayMs: number) {
    this.#decayMs = decayMs;
  }

  get sampled(): boolean {
    return this.#sampled;
  }

  /** The average as of `now` (ms); meaningful only once `sampled`. */
  valueAt(now: number): number {
    const elapsed = now - this.#stamp;
    return elapsed > 0 ? this.#value * Math.exp(-elapsed / this.#decayMs) : this.#value;
  }

  observe(sampleMs: number, now: number): void {
    if (!this.#sampled || sampleMs > this.#value) {
      this.#value = sampleMs;
    } else {
      const weight = Math.exp(-Math.max(0, now - this.#stamp) / this.#decayMs);
      this.#value = this.#value * weight + sampleMs * (1 - weight);
    }
    this.#stamp = now;
    this.#sampled = true;
  }
}
