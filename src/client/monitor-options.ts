import type { MonitorSourceSettings } from '../status/monitor-source.js';
import { describe, httpUrl, isPlainObject, timerMs } from '../validate.js';

/** Where the balanced client asks for status: a soap-balancer monitor's status API. */
export interface MonitorClientOptions {
  /**
   * URL of the monitor's status API, e.g. `http://monitor.internal:8700/status`; the monitor's base URL
   * (`http://monitor.internal:8700`) means the same.
   */
  readonly url: string;
  /** Bearer token the monitor requires, if any. */
  readonly token?: string;
  /**
   * Status older than this is refreshed, in the background, when the next call is made (ms).
   * @default 1000
   */
  readonly ttlMs?: number;
  /**
   * When no status request has succeeded for this long (ms), the monitor's word (load, down,
   * draining) is ignored until one does; calls go on, steered by this client's own signals.
   * @default 10000
   */
  readonly maxAgeMs?: number;
  /**
   * Limit for each status request (ms), the first one included (the only one a caller waits for).
   * @default 2000
   */
  readonly timeoutMs?: number;
}

/** Defaults of the `monitor` option's fields. */
export const defaultMonitorClientOptions = {
  ttlMs: 1_000,
  maxAgeMs: 10_000,
  timeoutMs: 2_000,
} as const satisfies Partial<MonitorClientOptions>;

/** Validates the `monitor` option and completes it with its defaults. */
export function monitorSettings(value: unknown): MonitorSourceSettings {
  if (!isPlainObject(value))
    throw new TypeError(`Expected \`monitor\` to be an object, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!knownMonitorOptions.has(key)) throw new TypeError(`Unknown option \`monitor.${key}\``);
  }
  const token = value.token;
  if (token !== undefined && (typeof token !== 'string' || token === '')) {
    throw new TypeError(`Expected \`monitor.token\` to be a non-empty string, got ${describe(token)}`);
  }
  const number = (name: keyof typeof defaultMonitorClientOptions): number =>
    timerMs(`monitor.${name}`, value[name] ?? defaultMonitorClientOptions[name]);
  const ttlMs = number('ttlMs');
  const maxAgeMs = number('maxAgeMs');
  if (maxAgeMs < ttlMs) {
    throw new RangeError(
      `Expected \`monitor.maxAgeMs\` (${maxAgeMs}) to be at least \`monitor.ttlMs\` (${ttlMs})`,
    );
  }
  return {
    url: statusUrl(httpUrl('monitor.url', value.url)),
    token,
    ttlMs,
    maxAgeMs,
    timeoutMs: number('timeoutMs'),
  };
}

const knownMonitorOptions = new Set(['url', 'token', 'ttlMs', 'maxAgeMs', 'timeoutMs']);

/** The monitor's base URL (`http://monitor:8700`) stands for its status API: `/status` is appended. */
export function statusUrl(url: URL): string {
  if (url.pathname === '/' && url.search === '') url.pathname = '/status';
  return url.href;
}
