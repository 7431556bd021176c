import { describe, integerAtLeast, isPlainObject, timerMs } from '../validate.js';
import { etcdEndpoints, etcdPrefix } from './options.js';

/** Where a writer (load reporter, monitor) publishes statuses in etcd. */
export interface EtcdWriterOptions {
  /** Client URLs of etcd members, tried in this order, e.g. `['http://10.0.0.1:2379']`. */
  readonly endpoints: readonly string[];
  /** The key prefix the balanced clients watch, e.g. `/soap-balancer/v1/orders/`. */
  readonly prefix: string;
  /**
   * TTL of the writer's lease (s): when the writer dies without a word (SIGKILL, power loss), its
   * keys leave etcd this long after its last renewal. etcd raises a TTL below its minimum.
   * @default 5
   */
  readonly leaseTtlSeconds?: number;
  /** Limit for each request to etcd (ms). @default 2000 */
  readonly timeoutMs?: number;
}

export interface EtcdWriterSettings {
  readonly endpoints: readonly string[];
  readonly prefix: string;
  readonly leaseTtlSeconds: number;
  readonly timeoutMs: number;
}

export const defaultEtcdWriterOptions = { leaseTtlSeconds: 5, timeoutMs: 2_000 } as const;

/**
 * Validates a writer's `etcd` option; `extra` are the field names the caller checks itself.
 * @throws {TypeError | RangeError} naming the option and the value received.
 */
export function etcdWriterSettings(
  name: string,
  value: unknown,
  extra: readonly string[] = [],
): EtcdWriterSettings & { readonly given: Record<string, unknown> } {
  if (!isPlainObject(value))
    throw new TypeError(`Expected \`${name}\` to be an object, got ${describe(value)}`);
  const known = new Set(['endpoints', 'prefix', 'leaseTtlSeconds', 'timeoutMs', ...extra]);
  for (const key of Object.keys(value)) {
    if (!known.has(key)) throw new TypeError(`Unknown option \`${name}.${key}\``);
  }
  const ttl = integerAtLeast(`${name}.leaseTtlSeconds`, value.leaseTtlSeconds ?? 5, 1);
  if (ttl > 3_600)
    throw new RangeError(`Expected \`${name}.leaseTtlSeconds\` to be at most 3600, got \`${ttl}\``);
  return {
    endpoints: etcdEndpoints(`${name}.endpoints`, value.endpoints),
    prefix: etcdPrefix(`${name}.prefix`, value.prefix),
    leaseTtlSeconds: ttl,
    timeoutMs: timerMs(`${name}.timeoutMs`, value.timeoutMs ?? defaultEtcdWriterOptions.timeoutMs),
    given: value,
  };
}
