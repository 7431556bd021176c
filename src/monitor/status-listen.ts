import type { MetricFamily } from '../metrics/families.js';
import { describe, integerAtLeast, isPlainObject } from '../validate.js';
import type { MonitorHistory } from './history.js';
import type { PublishedSnapshot } from './snapshot.js';
import { type StatusServer, startStatusServer } from './status-server.js';

/** Options of `monitor.listen()`. */
export interface StatusListenOptions {
  /**
   * TCP port of the status API; 0 picks a free one (the returned `url` tells which).
   * @default 8700
   */
  readonly port?: number;
  /**
   * Interface to listen on. The default keeps the API local; listen wider only with a `token`, or
   * behind a firewall: the status lists every server's URL.
   * @default '127.0.0.1'
   */
  readonly host?: string;
}

/** Defaults of {@link StatusListenOptions}. */
export const defaultStatusListenOptions = {
  port: 8700,
  host: '127.0.0.1',
} as const satisfies StatusListenOptions;

/**
 * Validates `options` and starts the status API.
 * @throws {TypeError | RangeError} naming the option and the value received.
 */
export function listenStatus(
  options: unknown,
  token: string | undefined,
  snapshot: () => PublishedSnapshot,
  metrics: () => readonly MetricFamily[],
  history: () => MonitorHistory,
): Promise<StatusServer> {
  if (!isPlainObject(options))
    throw new TypeError(`Expected \`options\` to be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (key !== 'port' && key !== 'host') throw new TypeError(`Unknown option \`${key}\``);
  }
  const port = integerAtLeast('port', options.port ?? defaultStatusListenOptions.port, 0);
  if (port > 65_535)
    throw new RangeError(`Expected \`port\` to be an integer <= 65535, got \`${port}\` (number)`);
  const host = options.host ?? defaultStatusListenOptions.host;
  if (typeof host !== 'string' || host.length === 0) {
    throw new TypeError(`Expected \`host\` to be a non-empty string, got ${describe(host)}`);
  }
  return startStatusServer({ port, host, token, snapshot, metrics, history });
}
