import { type LoadReport, loadScore } from '../load-report/schema.js';
import type { LoadSource, ServerStatus } from '../status/schema.js';
import type { ProbeResult } from './prober.js';

export interface HealthSettings {
  /** Consecutive successes that bring a down server up. */
  readonly rise: number;
  /** Consecutive failures that take an up server down. */
  readonly fall: number;
  /** Latency-based load = smoothed latency / this. */
  readonly latencyScaleMs: number;
}

/** What a probe result changed in a server's liveness. */
export type Transition = 'up' | 'down' | undefined;

/** The part of a `ServerStatus` that probing decides (everything but `id` and `url`). */
export type HealthFigures = Omit<ServerStatus, 'id' | 'url'>;

/** Weight of the newest latency sample in the moving average (about the last 4 probes count). */
const latencySmoothing = 0.25;

/**
 * One server's liveness verdict and load figures, fed one probe result at a time. Pure: no I/O, no
 * clock (the caller passes the time), so the hysteresis can be tested result by result.
 *
 * The first result decides the verdict directly: before it the server is unknown, and making a live
 * server wait `rise` rounds would only hide it. After that, `fall` failures in a row take it down and
 * `rise` successes in a row bring it back, so one lost probe does not flap it.
 */
export class ServerHealth {
  readonly #settings: HealthSettings;
  #alive: boolean | undefined;
  /** Consecutive results that contradict the current verdict. */
  #streak = 0;
  #latencyAverageMs: number | undefined;
  #latencyMs: number | null = null;
  #report: LoadReport | undefined;
  #loadSource: LoadSource = 'none';
  #checkedAt: string | null = null;

  constructor(settings: HealthSettings) {
    this.#settings = settings;
  }

  /** True once the verdict is "alive"; false before the first result. */
  get alive(): boolean {
    return this.#alive === true;
  }

  /** Records one probe result made at `at` (epoch ms) and returns the liveness change it caused. */
  record(result: ProbeResult, at: number): Transition {
    this.#checkedAt = new Date(at).toISOString();
    if (result.ok) this.#measure(result.latencyMs, result.report);
    if (this.#alive === undefined || this.#alive === result.ok) {
      const decided = this.#alive === undefined;
      this.#alive = result.ok;
      this.#streak = 0;
      return decided ? (result.ok ? 'up' : 'down') : undefined;
    }
    this.#streak++;
    if (this.#streak < (result.ok ? this.#settings.rise : this.#settings.fall)) return undefined;
    this.#alive = result.ok;
    this.#streak = 0;
    return result.ok ? 'up' : 'down';
  }

  /**
   * The current figures. A down server keeps its last measured ones (they say what it was like when
   * last seen); `draining` only shows while the server is alive.
   */
  figures(draining: boolean): HealthFigures {
    const report = this.#report;
    return {
      state: this.#alive === true ? (draining ? 'draining' : 'up') : 'down',
      load: round(this.#load(), 4),
      loadSource: this.#loadSource,
      capacity: report?.capacity ?? null,
      inFlight: report?.inFlight ?? null,
      queued: report?.queued ?? null,
      served: report?.served ?? null,
      eventLoopDelayMs: report ? round(report.eventLoopDelayMs, 2) : null,
      latencyMs: this.#latencyMs === null ? null : round(this.#latencyMs, 2),
      lastCheckedAt: this.#checkedAt,
    };
  }

  #measure(latencyMs: number, report: LoadReport | undefined): void {
    this.#latencyMs = latencyMs;
    const previous = this.#latencyAverageMs;
    this.#latencyAverageMs =
      previous === undefined ? latencyMs : previous + latencySmoothing * (latencyMs - previous);
    this.#report = report;
    this.#loadSource = report ? 'report' : 'latency';
  }

  #load(): number {
    if (this.#report) return loadScore(this.#report);
    if (this.#loadSource === 'latency') return (this.#latencyAverageMs ?? 0) / this.#settings.latencyScaleMs;
    return 0;
  }
}

/** Rounds to `digits` decimals: finer digits are measurement noise, and would only bloat `/status`. */
function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
