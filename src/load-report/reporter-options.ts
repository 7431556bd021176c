import { performance } from 'node:perf_hooks';
import type { ReporterPublisherSettings } from '../etcd/reporter-publisher.js';
import { type EtcdWriterOptions, etcdWriterSettings } from '../etcd/writer-options.js';
import { describe, httpUrl } from '../validate.js';
import { defaultLoadReportPath } from './schema.js';

/** Options of {@link attachLoadReporter}. */
export interface LoadReporterOptions {
  /**
   * Where the report is served: `GET` (or `HEAD`) answers it, other methods get 405. The query string
   * is ignored; every other path goes to the server's previous listeners.
   * @default '/soap-balancer/load' (`defaultLoadReportPath`)
   */
  readonly path?: string;
  /**
   * How many requests the server can serve at once (an integer >= 1), reported as `capacity` so that
   * replicas of different sizes compare fairly. Not given: reported as `null`, which the score counts
   * as one slot.
   * @default undefined (reported as `null`)
   */
  readonly capacity?: number;
  /**
   * The application's own queue length: requests this server received that wait for a slot (e.g. a
   * concurrency limiter's waiting list). Reported as `queued` and subtracted from the HTTP requests in
   * flight to give `inFlight`, so it must count only requests that came in through this server.
   * Must return an integer >= 0.
   * @default () => 0
   */
  readonly queued?: () => number;
  /**
   * Whether every response the server writes carries its load in an `endpoint-load-metrics` header
   * (ORCA's TEXT format, as Envoy and gRPC read it), which a balanced client takes at once, between
   * status updates. Clients that do not read it ignore it.
   * @default true
   */
  readonly loadHeader?: boolean;
  /**
   * Also serve the replica's metrics (`soap_balancer_replica_*`, Prometheus' text format) at this
   * path, e.g. `'/metrics'`; like the report's, its requests are not counted. `false`: not served
   * (`reporter.metrics()` still gives them).
   * @default false
   */
  readonly metricsPath?: string | false;
  /**
   * The clock `uptimeMs` is measured with, in milliseconds; a seam for tests.
   * @default performance.now
   */
  readonly now?: () => number;
  /**
   * Also publish this replica's status in etcd, for balanced clients with the `etcd` option: its key
   * `<prefix><id>` is bound to a lease kept alive, rewritten when the load changes (at most once a
   * second), set `draining` at once by `drain()`, and removed by `close()`, by the server's `'close'`,
   * or by the lease's expiry when the process dies.
   * @default undefined (no etcd)
   */
  readonly etcd?: ReporterEtcdOptions;
}

/** The reporter's `etcd` option. */
export interface ReporterEtcdOptions extends EtcdWriterOptions {
  /** This server's base URL as clients reach it, e.g. `http://10.0.0.1:8000`. */
  readonly url: string;
  /** The server's id, its key's last part. @default `url` */
  readonly id?: string;
}

export interface NormalizedReporterOptions {
  readonly path: string;
  readonly metricsPath: string | false;
  readonly capacity: number | null;
  readonly queued: () => number;
  readonly loadHeader: boolean;
  readonly now: () => number;
  readonly etcd: ReporterPublisherSettings | undefined;
}

const knownOptions = new Set<string>([
  'path',
  'metricsPath',
  'capacity',
  'queued',
  'loadHeader',
  'now',
  'etcd',
]);

/**
 * Validates and completes the options.
 * @throws {TypeError | RangeError} naming the option and the value received.
 */
export function normalizeReporterOptions(options: unknown): NormalizedReporterOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`Expected \`options\` to be an object, got ${describe(options)}`);
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!knownOptions.has(key)) throw new TypeError(`Unknown option \`${key}\``);
  }
  return {
    path: reportPath('path', given.path ?? defaultLoadReportPath),
    metricsPath: metricsPath(given.metricsPath ?? false, given.path ?? defaultLoadReportPath),
    capacity: given.capacity == null ? null : capacity(given.capacity),
    queued: fn('queued', given.queued ?? (() => 0)),
    loadHeader: flag('loadHeader', given.loadHeader ?? true),
    now: fn('now', given.now ?? (() => performance.now())),
    etcd: given.etcd === undefined ? undefined : reporterEtcd(given.etcd),
  };
}

function reporterEtcd(value: unknown): ReporterPublisherSettings {
  const { given, ...settings } = etcdWriterSettings('etcd', value, ['url', 'id']);
  const url = httpUrl('etcd.url', given.url).href.replace(/\/$/, '');
  const id = given.id ?? url;
  if (typeof id !== 'string' || id === '' || id.length > 256) {
    throw new TypeError(
      `Expected \`etcd.id\` to be a non-empty string (at most 256 characters), got ${describe(id)}`,
    );
  }
  return { ...settings, url, id };
}

/** What `queued()` returned, checked: a bad count would make the whole report invalid. */
export function checkedQueued(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new TypeError(`Expected \`queued()\` to return an integer >= 0, got ${describe(value)}`);
}

function metricsPath(value: unknown, loadPath: unknown): string | false {
  if (value === false) return false;
  const path = reportPath('metricsPath', value);
  if (path === loadPath)
    throw new TypeError(`Expected \`metricsPath\` to differ from \`path\`, got \`${path}\``);
  return path;
}

function reportPath(name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^\/[^?#\s]*$/.test(value)) {
    throw new TypeError(
      `Expected \`${name}\` to be a URL path starting with \`/\`, without query or hash, got ${describe(value)}`,
    );
  }
  return value;
}

function capacity(value: unknown): number {
  const message = `Expected \`capacity\` to be an integer >= 1, got ${describe(value)}`;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new TypeError(message);
  if (value < 1) throw new RangeError(message);
  return value;
}

function fn<T>(name: string, value: unknown): () => T {
  if (typeof value !== 'function')
    throw new TypeError(`Expected \`${name}\` to be a function, got ${describe(value)}`);
  return value as () => T;
}

function flag(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw new TypeError(`Expected \`${name}\` to be a boolean, got ${describe(value)}`);
  return value;
}
