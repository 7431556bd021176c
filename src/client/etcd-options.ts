import { etcdEndpoints, etcdPrefix } from '../etcd/options.js';
import type { EtcdSourceSettings } from '../status/etcd-source.js';
import { describe, isPlainObject, timerMs } from '../validate.js';

/** Where the balanced client learns the servers' status: etcd v3, over its JSON gateway. */
export interface EtcdClientOptions {
  /** Client URLs of etcd members, e.g. `['http://10.0.0.1:2379', 'http://10.0.0.2:2379']`. */
  readonly endpoints: readonly string[];
  /**
   * The key prefix holding one key per server, e.g. `/soap-balancer/v1/orders/` (a `/` is appended
   * when missing). Writers (`attachLoadReporter`'s `etcd`, `soap-balancer monitor --etcd`) use the same.
   */
  readonly prefix: string;
  /**
   * When etcd has not been heard from for this long (ms), its word (load, down, draining) is ignored
   * until it is again; calls go on with the last pool, steered by this client's own signals.
   * @default 10000
   */
  readonly maxAgeMs?: number;
  /** Limit for each request to etcd (ms), the first range included (the only one a caller waits for). @default 2000 */
  readonly timeoutMs?: number;
  /** How often the member watched is asked whether it still serves the cluster (ms). @default 1000 */
  readonly heartbeatMs?: number;
}

/** Defaults of the `etcd` option's fields. */
export const defaultEtcdClientOptions = {
  maxAgeMs: 10_000,
  timeoutMs: 2_000,
  heartbeatMs: 1_000,
} as const satisfies Partial<EtcdClientOptions>;

const known = new Set(['endpoints', 'prefix', 'maxAgeMs', 'timeoutMs', 'heartbeatMs']);

/** Validates the `etcd` option and completes it with its defaults. */
export function etcdSettings(value: unknown): EtcdSourceSettings {
  if (!isPlainObject(value)) throw new TypeError(`Expected \`etcd\` to be an object, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!known.has(key)) throw new TypeError(`Unknown option \`etcd.${key}\``);
  }
  const number = (name: keyof typeof defaultEtcdClientOptions): number =>
    timerMs(`etcd.${name}`, value[name] ?? defaultEtcdClientOptions[name]);
  const heartbeatMs = number('heartbeatMs');
  const maxAgeMs = number('maxAgeMs');
  if (maxAgeMs < heartbeatMs) {
    throw new RangeError(
      `Expected \`etcd.maxAgeMs\` (${maxAgeMs}) to be at least \`etcd.heartbeatMs\` (${heartbeatMs})`,
    );
  }
  return {
    endpoints: etcdEndpoints('etcd.endpoints', value.endpoints),
    prefix: etcdPrefix('etcd.prefix', value.prefix),
    maxAgeMs,
    timeoutMs: number('timeoutMs'),
    heartbeatMs,
  };
}
