import { type AllowOption, type AllowRule, compileAllowRule } from '../balancer/allow-rule.js';
import type { Balancer } from '../balancer/balancer.js';
import type { SelectionPolicy } from '../balancer/policy.js';
import type { RetryBudgetOptions, RetryBudgetSettings } from '../balancer/retry-budget.js';
import { type EtcdClientOptions, etcdSettings } from '../client/etcd-options.js';
import { type MonitorClientOptions, monitorSettings } from '../client/monitor-options.js';
import {
  clientName,
  defaultOptions,
  type IdempotencyOption,
  idempotency,
  selectionPolicy,
  serverList,
} from '../client/options.js';
import { retryBudgetSettings } from '../client/retry-budget-option.js';
import type { EtcdSourceSettings } from '../status/etcd-source.js';
import type { MonitorSourceSettings } from '../status/monitor-source.js';
import type { StatusSource } from '../status/source.js';
import { describe, httpUrl, integerAtLeast, isPlainObject, timerMs } from '../validate.js';

/**
 * Makes the status source of a proxy for its Balancer (the seam for sources other than the monitor,
 * such as a servers file or etcd). The source hands what it learns to the Balancer's status methods.
 */
export type ProxyStatusSourceFactory = (balancer: Balancer) => StatusSource;

/**
 * Options of {@link createProxy}. At least one of `servers`, `monitor`, `etcd` and `statusSource` is
 * required; of the last three, one at most.
 */
export interface ProxyOptions {
  /**
   * TCP port to listen on; 0 picks a free one (`url` tells which).
   * @default 0
   */
  readonly port?: number;
  /**
   * Interface to listen on.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * The URL clients reach the proxy at, written into every WSDL in place of the service's address
   * (scheme, host and port only). Never taken from a request's `Host` header, which anyone can set.
   * @default `http://<host>:<port>` of the listening socket
   */
  readonly publicUrl?: string;
  /**
   * This proxy's name in its metrics: the `proxy` label of every `soap_balancer_proxy_*` series.
   * @default 'proxy'
   */
  readonly name?: string;
  /** Base URLs of the identical replicas, as the balanced client's `servers`. @default [] */
  readonly servers?: readonly string[];
  /** Ask this monitor for the servers' status, as the balanced client's `monitor`. */
  readonly monitor?: MonitorClientOptions;
  /** Learn the servers' status from etcd, as the balanced client's `etcd`. */
  readonly etcd?: EtcdClientOptions;
  /** Any other status source, made for the proxy's balancer (a servers file). */
  readonly statusSource?: ProxyStatusSourceFactory;
  /**
   * Which servers learned from a status source may get calls, as the balanced client's `allow`.
   * @default the origins of `servers`
   */
  readonly allow?: AllowOption;
  /**
   * Operations safe to run twice, by the name the proxy reads from each request (see the README):
   * `true`, a list of names, or a predicate.
   * @default false
   */
  readonly idempotent?: IdempotencyOption;
  /** @default new LeastBusyPolicy() */
  readonly policy?: SelectionPolicy;
  /** Most servers one call is tried on. @default 3 */
  readonly maxAttempts?: number;
  /** How long one attempt may wait for the server's response headers (ms). @default 30000 */
  readonly timeoutMs?: number;
  /** The whole time one WSDL or schema fetch may take, every (hedged) attempt included (ms). @default 10000 */
  readonly fetchTimeoutMs?: number;
  /** Storm control, as the balanced client's. @default { percent: 0.2, minPerSecond: 10, windowMs: 10000 } */
  readonly retryBudget?: RetryBudgetOptions | false;
  /** @default 10000 */
  readonly slowStartMs?: number;
  /** @default 1000 */
  readonly downBackoffMs?: number;
  /** @default 30000 */
  readonly maxDownBackoffMs?: number;
  /**
   * Largest request body accepted (bytes); a larger one is answered 413 and not sent on.
   * @default 16777216 (16 MiB)
   */
  readonly maxBodyBytes?: number;
  /**
   * Request bodies up to this size are held whole until the call has an answer, so that a failed
   * attempt can be sent again elsewhere. A larger body is streamed to one server and never replayed
   * (one attempt only; see the README).
   * @default 1048576 (1 MiB)
   */
  readonly replayBodyBytes?: number;
  /** How long a client may take to send its request headers (ms); then 408 and the connection closes. @default 10000 */
  readonly headersTimeoutMs?: number;
  /** How long a client may take to send its whole request (ms); then 408. @default 60000 */
  readonly requestTimeoutMs?: number;
  /** How long an idle keep-alive connection from a client stays open (ms). @default 5000 */
  readonly keepAliveTimeoutMs?: number;
  /** How long `close()` waits for the calls in flight before it cuts them (ms). @default 30000 */
  readonly drainTimeoutMs?: number;
}

/** Defaults of the proxy's own options (the balancing ones are `defaultOptions`'). */
export const defaultProxyOptions = {
  port: 0,
  host: '127.0.0.1',
  name: 'proxy',
  maxBodyBytes: 16 * 1024 * 1024,
  replayBodyBytes: 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  drainTimeoutMs: 30_000,
} as const satisfies Partial<ProxyOptions>;

export interface NormalizedProxyOptions {
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string | undefined;
  readonly name: string;
  readonly servers: readonly string[];
  readonly monitor: MonitorSourceSettings | undefined;
  readonly etcd: EtcdSourceSettings | undefined;
  readonly statusSource: ProxyStatusSourceFactory | undefined;
  readonly allow: AllowRule;
  readonly isIdempotent: (operation: string | undefined) => boolean;
  readonly policy: SelectionPolicy;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly fetchTimeoutMs: number;
  readonly retryBudget: RetryBudgetSettings | undefined;
  readonly slowStartMs: number;
  readonly downBackoffMs: number;
  readonly maxDownBackoffMs: number;
  readonly maxBodyBytes: number;
  readonly replayBodyBytes: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly drainTimeoutMs: number;
}

const knownOptions = new Set<string>([
  'port',
  'host',
  'publicUrl',
  'name',
  'servers',
  'monitor',
  'etcd',
  'statusSource',
  'allow',
  'idempotent',
  'policy',
  'maxAttempts',
  'timeoutMs',
  'fetchTimeoutMs',
  'retryBudget',
  'slowStartMs',
  'downBackoffMs',
  'maxDownBackoffMs',
  'maxBodyBytes',
  'replayBodyBytes',
  'headersTimeoutMs',
  'requestTimeoutMs',
  'keepAliveTimeoutMs',
  'drainTimeoutMs',
]);

/**
 * Validates and completes the proxy's options, with the balanced client's validators for the options
 * they share.
 * @throws {TypeError | RangeError} naming the option and the value received.
 */
export function normalizeProxyOptions(options: unknown): NormalizedProxyOptions {
  if (!isPlainObject(options))
    throw new TypeError(`Expected \`options\` to be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!knownOptions.has(key)) throw new TypeError(`Unknown option \`${key}\``);
  }
  const monitor = options.monitor === undefined ? undefined : monitorSettings(options.monitor);
  const statusSource = options.statusSource;
  if (statusSource !== undefined && typeof statusSource !== 'function') {
    throw new TypeError(`Expected \`statusSource\` to be a function, got ${describe(statusSource)}`);
  }
  const etcd = options.etcd === undefined ? undefined : etcdSettings(options.etcd);
  const sources = [monitor && 'monitor', etcd && 'etcd', statusSource && 'statusSource'].filter(Boolean);
  if (sources.length > 1) {
    throw new TypeError(`Give one status source, not both \`${sources[0]}\` and \`${sources[1]}\``);
  }
  const fromSource = sources.length > 0;
  const servers = options.servers === undefined && fromSource ? [] : serverList(options.servers);
  const timer = (name: keyof typeof defaultOptions & `${string}Ms`): number =>
    timerMs(name, options[name] ?? defaultOptions[name], name === 'slowStartMs' ? 0 : 1);
  const downBackoffMs = timer('downBackoffMs');
  const maxDownBackoffMs = timer('maxDownBackoffMs');
  if (downBackoffMs > maxDownBackoffMs) {
    throw new RangeError(
      `Expected \`downBackoffMs\` (${downBackoffMs}) to be at most \`maxDownBackoffMs\` (${maxDownBackoffMs})`,
    );
  }
  const own = <K extends keyof typeof defaultProxyOptions>(name: K): unknown =>
    options[name] ?? defaultProxyOptions[name];
  const port = integerAtLeast('port', own('port'), 0);
  if (port > 65_535) throw new RangeError(`Expected \`port\` to be an integer <= 65535, got \`${port}\``);
  const host = own('host');
  if (typeof host !== 'string' || host === '') {
    throw new TypeError(`Expected \`host\` to be a non-empty string, got ${describe(host)}`);
  }
  const maxBodyBytes = integerAtLeast('maxBodyBytes', own('maxBodyBytes'), 1);
  const replayBodyBytes = integerAtLeast('replayBodyBytes', own('replayBodyBytes'), 0);
  return {
    port,
    host,
    publicUrl: options.publicUrl === undefined ? undefined : publicOrigin(options.publicUrl),
    name: clientName(own('name')),
    servers,
    monitor,
    etcd,
    statusSource: statusSource as ProxyStatusSourceFactory | undefined,
    allow: compileAllowRule(options.allow, servers),
    isIdempotent: idempotency(options.idempotent ?? defaultOptions.idempotent),
    policy: selectionPolicy(options.policy),
    maxAttempts: integerAtLeast('maxAttempts', options.maxAttempts ?? defaultOptions.maxAttempts, 1),
    timeoutMs: timer('timeoutMs'),
    fetchTimeoutMs: timer('fetchTimeoutMs'),
    retryBudget: retryBudgetSettings(options.retryBudget),
    slowStartMs: timer('slowStartMs'),
    downBackoffMs,
    maxDownBackoffMs,
    maxBodyBytes,
    replayBodyBytes: Math.min(replayBodyBytes, maxBodyBytes),
    headersTimeoutMs: timerMs('headersTimeoutMs', own('headersTimeoutMs')),
    requestTimeoutMs: timerMs('requestTimeoutMs', own('requestTimeoutMs')),
    keepAliveTimeoutMs: timerMs('keepAliveTimeoutMs', own('keepAliveTimeoutMs')),
    drainTimeoutMs: timerMs('drainTimeoutMs', own('drainTimeoutMs'), 0),
  };
}

/** The public URL: an origin only (a path would have to be stripped by someone the proxy cannot see). */
function publicOrigin(value: unknown): string {
  const url = httpUrl('publicUrl', value);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new TypeError(
      `Expected \`publicUrl\` to be an origin (scheme, host, port) without path or query, got \`${url.href}\``,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError('Expected `publicUrl` without credentials');
  }
  return url.origin;
}
