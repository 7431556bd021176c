/**
 * Load in every response: the `endpoint-load-metrics` header of ORCA (Open Request Cost Aggregation),
 * as Envoy and gRPC read it. The load reporter writes it in the TEXT format on each response; the
 * balanced client reads TEXT or JSON, so that a server's occupancy is known between status updates.
 */

/** The response header that carries a server's load (lower case, as Node's headers are). */
export const loadMetricsHeader = 'endpoint-load-metrics';

/** What a response's load header says, in the units of the status' load score. */
export interface ResponseLoad {
  /** Occupancy when the response was written: requests per slot, this response's own excluded. */
  readonly utilization: number;
  /** Slots the server has; `undefined` when it did not say (counted as one). */
  readonly capacity: number | undefined;
}

/**
 * The header value for a server with `outstanding` requests (this response's own excluded) over
 * `capacity` slots: `application_utilization` is ORCA's field for an application's own utilization,
 * which Envoy's client-side weighted round robin prefers over CPU; the counts go as named metrics.
 */
export function formatLoadMetrics(outstanding: number, capacity: number | null): string {
  const slots = capacity ?? 1;
  const utilization = Math.round((outstanding / slots) * 1000) / 1000;
  const named = capacity === null ? '' : `, named_metrics.capacity=${capacity}`;
  return `TEXT application_utilization=${utilization}, named_metrics.outstanding=${outstanding}${named}`;
}

/**
 * Reads a load header in ORCA's TEXT (`TEXT key=value, ...`) or JSON (`JSON {...}`) format; the binary
 * format and anything malformed give `undefined` (the header is advice: a bad one is ignored). The
 * utilization is `application_utilization`, else `cpu_utilization`.
 */
export function parseLoadMetrics(value: unknown): ResponseLoad | undefined {
  if (typeof value !== 'string' || value.length > maxHeaderLength) return undefined;
  let fields: Record<string, unknown> | undefined;
  if (value.startsWith('TEXT ')) fields = textFields(value.slice(5));
  else if (value.startsWith('JSON ')) fields = jsonFields(value.slice(5));
  if (fields === undefined) return undefined;
  const utilization = fields.application_utilization ?? fields.cpu_utilization;
  if (!isNonNegative(utilization)) return undefined;
  const named = fields.named_metrics;
  const capacity =
    typeof named === 'object' && named !== null ? (named as Record<string, unknown>).capacity : undefined;
  return {
    utilization,
    capacity: isNonNegative(capacity) && capacity >= 1 ? capacity : undefined,
  };
}

/** A load header is a few dozen bytes; a long one is not parsed. */
const maxHeaderLength = 1024;

function textFields(text: string): Record<string, unknown> | undefined {
  const fields: Record<string, unknown> = {};
  const named: Record<string, unknown> = {};
  for (const pair of text.split(',')) {
    const equals = pair.indexOf('=');
    if (equals === -1) return undefined;
    const key = pair.slice(0, equals).trim();
    const raw = pair.slice(equals + 1).trim();
    const number = raw === '' ? Number.NaN : Number(raw);
    if (key.startsWith('named_metrics.')) named[key.slice('named_metrics.'.length)] = number;
    else fields[key] = number;
  }
  fields.named_metrics = named;
  return fields;
}

function jsonFields(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
