import { loadMetricsHeader, parseLoadMetrics, type ResponseLoad } from '../load-report/orca.js';

/**
 * The load a server put in its answer's `endpoint-load-metrics` header, if any. Node lower-cases
 * response header names, and axios keeps them as properties, so one property read finds it.
 */
export function responseLoadOf(answer: { readonly headers?: unknown }): ResponseLoad | undefined {
  const headers = answer.headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  return parseLoadMetrics((headers as Record<string, unknown>)[loadMetricsHeader]);
}
