/**
 * What a replica's load reporter answers at {@link defaultLoadReportPath} (version 1), and the one
 * formula that turns it into a comparable busyness score. Shared by the reporter (server side) and the
 * monitor's prober, so both read the same contract.
 */

export const loadReportVersion = 1;

/** Where a replica serves its load report unless configured otherwise. */
export const defaultLoadReportPath = '/soap-balancer/load';

/** A replica's own account of how busy it is. */
export interface LoadReport {
  readonly version: typeof loadReportVersion;
  /** Requests being served now (the report's own request excluded). */
  readonly inFlight: number;
  /** Requests accepted but waiting for a slot (as counted by the application; 0 if it has no queue). */
  readonly queued: number;
  /** Requests the server can serve at once; `null` when it did not say. */
  readonly capacity: number | null;
  /** Requests served since the reporter started. */
  readonly served: number;
  /** Event-loop delay, p99 since the previous report, ms. */
  readonly eventLoopDelayMs: number;
  readonly uptimeMs: number;
}

/** Event-loop delay that counts as much as one request per slot. */
const eventLoopDelayPerLoadUnitMs = 100;

/**
 * The busyness score of a report: outstanding requests per capacity slot, plus event-loop delay
 * in units of 100 ms (a server whose loop lags 100 ms is as busy as one with a request per slot).
 */
export function loadScore(report: LoadReport): number {
  const slots = report.capacity ?? 1;
  return (report.inFlight + report.queued) / slots + report.eventLoopDelayMs / eventLoopDelayPerLoadUnitMs;
}

/** Validates a parsed load report; `undefined` when it is not one (the prober then falls back to latency). */
export function parseLoadReport(value: unknown): LoadReport | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const report = value as Record<string, unknown>;
  const counts = [report.inFlight, report.queued, report.served, report.eventLoopDelayMs, report.uptimeMs];
  if (report.version !== loadReportVersion || !counts.every(isNonNegative)) return undefined;
  const capacity = report.capacity;
  if (capacity !== null && !(isNonNegative(capacity) && capacity >= 1)) return undefined;
  return {
    version: loadReportVersion,
    inFlight: report.inFlight as number,
    queued: report.queued as number,
    capacity,
    served: report.served as number,
    eventLoopDelayMs: report.eventLoopDelayMs as number,
    uptimeMs: report.uptimeMs as number,
  };
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
