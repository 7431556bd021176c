import { monitorEventLoopDelay } from 'node:perf_hooks';

/** How often the loop is sampled. */
const resolutionMs = 10;

/** Event-loop delay measured in periods: each read closes one period and starts the next. */
export interface EventLoopDelaySampler {
  /** The p99 delay since the previous read, in milliseconds; 0 if nothing was sampled. */
  takeP99Ms(): number;
  /** Stops sampling. Idempotent. */
  stop(): void;
}

/**
 * Starts sampling the event-loop delay. The sampling timer is unreferenced by Node itself, so it does not
 * keep the process alive; `stop()` still ends it, so a detached reporter costs nothing.
 */
export function sampleEventLoopDelay(): EventLoopDelaySampler {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  return {
    takeP99Ms: () => {
      // An empty histogram's percentiles are not 0 (511 ns on Node 20), hence the count check.
      const p99Ms = histogram.count === 0 ? 0 : histogram.percentile(99) / 1e6;
      histogram.reset();
      // Each sample is the whole time between two ticks, the 10 ms wait included; only lateness is delay.
      return Math.round(Math.max(0, p99Ms - resolutionMs) * 1000) / 1000;
    },
    stop: () => {
      histogram.disable();
    },
  };
}
