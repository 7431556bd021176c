import type { IOptions as SoapOptions } from 'soap';
import { type AllowOption, type AllowRule, compileAllowRule } from '../balancer/allow-rule.js';
import { LeastBusyPolicy } from '../balancer/policies/least-busy.js';
import type { SelectionPolicy } from '../balancer/policy.js';
import type { RetryBudgetOptions, RetryBudgetSettings } from '../balancer/retry-budget.js';
import type { EtcdSourceSettings } from '../status/etcd-source.js';
import type { MonitorSourceSettings } from '../status/monitor-source.js';
import { normalizeBaseUrl } from '../urls.js';
import { describe, httpUrl, integerAtLeast, isPlainObject, timerMs } from '../validate.js';
import { type EtcdClientOptions, etcdSettings } from './etcd-options.js';
import { type MonitorClientOptions, monitorSettings } from './monitor-options.js';
import { retryBudgetSettings } from './retry-budget-option.js';

/** Decides whether an operation may run twice. See {@link BalancedClientOptions.idempotent}. */
export type IdempotencyOption = boolean | readonly string[] | ((operation: string) => boolean);

/** Options of {@link createBalancedClient}. At least one of `servers`, `monitor` and `etcd` is required. */
export interface BalancedClientOptions {
  /**
   * Base URLs of the identical replicas, e.g. `['http://10.0.0.1:8000', 'http://10.0.0.2:8000']`.
   * A base may carry a path prefix (`http://host/app`); the part of the WSDL URL and of every service
   * address after a server's base is requested from whichever server is picked. With `monitor` or `etcd`, these
   * stay in the pool whatever the status source says, and the servers it lists join them.
   * @default [] (the pool comes from the monitor or etcd)
   */
  readonly servers?: readonly string[];
  /** Ask this monitor for the servers' status. */
  readonly monitor?: MonitorClientOptions;
  /** Learn the servers' status from etcd (a range, then a watch); instead of `monitor`, not with it. */
  readonly etcd?: EtcdClientOptions;
  /**
   * This client's name in its metrics: the `client` label of every `soap_balancer_client_*` series, so
   * that several balanced clients in one process can be told apart. Give one when two clients use the
   * same WSDL path.
   * @default the WSDL URL's path, e.g. `'/calculator'`
   */
  readonly name?: string;
  /**
   * Which servers learned from a status source (the monitor) may be sent calls, and so the
   * application's credentials and SOAP bodies. URL patterns (`scheme://host[:port][/path]`, where a
   * host label may be `*` and the port `*`: `'https://*.calc.internal:8443'`, `'http://10.0.0.*:*'`;
   * no port means the scheme's default) or a predicate given each server's base URL. A server listed
   * by a status source that this refuses never joins the pool (`serverNotAllowed` event). Servers
   * given in `servers` are always allowed.
   * @default the origins of `wsdlUrl` and of `servers` (scheme, host and port): a status source can
   *   then steer calls among those, but never send them to a host the application did not name.
   */
  readonly allow?: AllowOption;
  /**
   * Most servers one call may be tried on (the first attempt included).
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * How long one attempt may wait for the server's answer (response headers) before it counts as
   * failed, in milliseconds. A timed-out call is retried elsewhere only if idempotent.
   * @default 30000
   */
  readonly timeoutMs?: number;
  /**
   * The whole time one WSDL or schema fetch may take, every attempt included, in milliseconds.
   * Fetches are GETs, so they are hedged: when a server has not answered after `timeoutMs` or
   * `fetchTimeoutMs / maxAttempts`, whichever is shorter, the next one is asked in parallel, and the
   * first answer wins.
   * @default 10000
   */
  readonly fetchTimeoutMs?: number;
  /**
   * Operations that are safe to run twice. A call that may have run on a server that then failed
   * (connection reset or timeout after sending, 502, 504, a 5xx that is not a SOAP Fault) is retried
   * on another server only when its operation is idempotent. `true`: all; an array: those operation
   * names; a function: asked per call. A call that provably did not run (server unreachable, 503,
   * 429) fails over whatever this says; WSDL fetches always may.
   * @default false
   */
  readonly idempotent?: IdempotencyOption;
  /**
   * How a server is chosen for each request.
   * @default new LeastBusyPolicy()
   */
  readonly policy?: SelectionPolicy;
  /**
   * Storm control, as Finagle's retry budget: retries (failovers) may be at most `percent` of the
   * calls of the last `windowMs`, plus `minPerSecond`; a retry beyond fails the call with
   * `SOAPBAL_RETRY_BUDGET_SPENT`. `false`: unbounded. WSDL fetches are not counted.
   * @default { percent: 0.2, minPerSecond: 10, windowMs: 10000 }
   */
  readonly retryBudget?: RetryBudgetOptions | false;
  /**
   * Slow start, as Envoy's: a server that joins the pool or comes back up looks up to ten times
   * dearer at first, less and less over this window (ms), so that idle clients do not all send it
   * their next call at once. 0: off.
   * @default 10000
   */
  readonly slowStartMs?: number;
  /**
   * How long a failed server is skipped after its first consecutive failure, in milliseconds. Doubles
   * with every further consecutive failure (±20% jitter), up to `maxDownBackoffMs`.
   * @default 1000
   */
  readonly downBackoffMs?: number;
  /**
   * The longest a failed server is skipped, in milliseconds.
   * @default 30000
   */
  readonly maxDownBackoffMs?: number;
  /**
   * Options passed to node-soap's `createClientAsync` (security is set on the client as usual). A
   * `httpClient` or `request` (axios instance) given here is decorated by the balancer, not replaced.
   * `disableCache` defaults to `true`: a cached WSDL would skip the balancer's rewrite.
   * @default {}
   */
  readonly soap?: SoapOptions;
}

/** Defaults of every optional option. */
export const defaultOptions = {
  servers: [],
  maxAttempts: 3,
  timeoutMs: 30_000,
  fetchTimeoutMs: 10_000,
  slowStartMs: 10_000,
  idempotent: false,
  downBackoffMs: 1_000,
  maxDownBackoffMs: 30_000,
} as const satisfies Partial<BalancedClientOptions>;

export interface NormalizedOptions {
  readonly wsdlUrl: string;
  readonly name: string;
  readonly servers: readonly string[];
  readonly monitor: MonitorSourceSettings | undefined;
  readonly etcd: EtcdSourceSettings | undefined;
  readonly allow: AllowRule;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly fetchTimeoutMs: number;
  readonly isIdempotent: (operation: string | undefined) => boolean;
  readonly policy: SelectionPolicy;
  readonly retryBudget: RetryBudgetSettings | undefined;
  readonly slowStartMs: number;
  readonly downBackoffMs: number;
  readonly maxDownBackoffMs: number;
  readonly soap: SoapOptions;
}

const knownOptions = new Set<string>([
  'servers',
  'monitor',
  'name',
  'etcd',
  'allow',
  'maxAttempts',
  'timeoutMs',
  'fetchTimeoutMs',
  'idempotent',
  'policy',
  'retryBudget',
  'slowStartMs',
  'downBackoffMs',
  'maxDownBackoffMs',
  'soap',
]);

/**
 * Validates and completes the options.
 * @throws {TypeError | RangeError} naming the option and the value received.
 */
export function normalizeOptions(wsdlUrl: unknown, options: unknown): NormalizedOptions {
  if (!isPlainObject(options))
    throw new TypeError(`Expected \`options\` to be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!knownOptions.has(key)) throw new TypeError(`Unknown option \`${key}\``);
  }
  const maxDownBackoffMs = timer(options, 'maxDownBackoffMs');
  const downBackoffMs = timer(options, 'downBackoffMs');
  const monitor = options.monitor === undefined ? undefined : monitorSettings(options.monitor);
  const etcd = options.etcd === undefined ? undefined : etcdSettings(options.etcd);
  if (monitor && etcd) throw new TypeError('Give `monitor` or `etcd` as the status source, not both');
  const statusSource = monitor ?? etcd;
  const servers =
    options.servers === undefined && statusSource !== undefined ? [] : serverList(options.servers);
  if (downBackoffMs > maxDownBackoffMs) {
    throw new RangeError(
      `Expected \`downBackoffMs\` (${downBackoffMs}) to be at most \`maxDownBackoffMs\` (${maxDownBackoffMs})`,
    );
  }
  const wsdl = httpUrl('wsdlUrl', wsdlUrl);
  return {
    wsdlUrl: wsdl.href,
    name: clientName(options.name ?? wsdl.pathname),
    servers,
    monitor,
    etcd,
    allow: compileAllowRule(options.allow, [wsdl.href, ...servers]),
    maxAttempts: integerAtLeast('maxAttempts', options.maxAttempts ?? defaultOptions.maxAttempts, 1),
    timeoutMs: timer(options, 'timeoutMs'),
    fetchTimeoutMs: timer(options, 'fetchTimeoutMs'),
    isIdempotent: idempotency(options.idempotent ?? defaultOptions.idempotent),
    policy: selectionPolicy(options.policy),
    retryBudget: retryBudgetSettings(options.retryBudget),
    slowStartMs: timerMs('slowStartMs', options.slowStartMs ?? defaultOptions.slowStartMs, 0),
    downBackoffMs,
    maxDownBackoffMs,
    soap: soapOptions(options.soap),
  };
}

/** Validates a metrics name (the client's `name`, the proxy's). Shared with the proxy. */
export function clientName(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) {
    throw new TypeError(`Expected \`name\` to be a string of 1 to 200 characters, got ${describe(value)}`);
  }
  return value;
}

/** Validates a `servers` list: distinct absolute http(s) base URLs, normalized. Shared with the proxy. */
export function serverList(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(
      `Expected \`servers\` to be a non-empty array of URLs (or a \`monitor\` to ask), got ${describe(value)}`,
    );
  }
  const bases = value.map((entry: unknown, index) => {
    const url = httpUrl(`servers[${index}]`, entry);
    if (url.search !== '' || url.hash !== '') {
      throw new TypeError(
        `Expected \`servers[${index}]\` to be a base URL without query or hash, got \`${url.href}\``,
      );
    }
    return normalizeBaseUrl(url);
  });
  const duplicate = bases.find((base, index) => bases.indexOf(base) !== index);
  if (duplicate !== undefined)
    throw new TypeError(`Expected \`servers\` to be distinct, got \`${duplicate}\` twice`);
  return bases;
}

function timer(
  options: Record<string, unknown>,
  name: 'timeoutMs' | 'fetchTimeoutMs' | 'downBackoffMs' | 'maxDownBackoffMs',
): number {
  return timerMs(name, options[name] ?? defaultOptions[name]);
}

/** Compiles the `idempotent` option into a predicate. Shared with the proxy. */
export function idempotency(value: unknown): (operation: string | undefined) => boolean {
  if (typeof value === 'boolean') return () => value;
  if (typeof value === 'function') {
    return (operation) =>
      operation !== undefined && (value as (operation: string) => unknown)(operation) === true;
  }
  if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) {
    const names = new Set<string>(value);
    return (operation) => operation !== undefined && names.has(operation);
  }
  throw new TypeError(
    `Expected \`idempotent\` to be a boolean, an array of operation names or a function, got ${describe(value)}`,
  );
}

/** Validates the `policy` option (default: least busy). Shared with the proxy. */
export function selectionPolicy(value: unknown): SelectionPolicy {
  if (value === undefined) return new LeastBusyPolicy();
  if (isPlainObjectLike(value) && typeof value.pick === 'function' && typeof value.name === 'string') {
    return value as unknown as SelectionPolicy;
  }
  throw new TypeError(
    `Expected \`policy\` to be an object with \`name\` and \`pick()\`, got ${describe(value)}`,
  );
}

function soapOptions(value: unknown): SoapOptions {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new TypeError(`Expected \`soap\` to be an object, got ${describe(value)}`);
  const httpClient = value.httpClient as { request?: unknown } | undefined;
  if (httpClient !== undefined && typeof httpClient?.request !== 'function') {
    throw new TypeError(
      `Expected \`soap.httpClient\` to have a \`request()\` method, got ${describe(httpClient)}`,
    );
  }
  return value as SoapOptions;
}

function isPlainObjectLike(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
