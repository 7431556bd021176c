import type { Balancer } from '../balancer/balancer.js';
import { type EtcdSourceSettings, EtcdStatusSource } from './etcd-source.js';
import { type MonitorSourceSettings, MonitorStatusSource } from './monitor-source.js';
import type { StatusSource } from './source.js';

/** The status sources a balanced client or a proxy can be given (at most one: the options check). */
export interface StatusSourceSettings {
  readonly monitor: MonitorSourceSettings | undefined;
  readonly etcd: EtcdSourceSettings | undefined;
}

/** The status source the settings name, feeding `balancer`; `undefined` when they name none. */
export function statusSourceFor(
  settings: StatusSourceSettings,
  balancer: Balancer,
): StatusSource | undefined {
  if (settings.monitor) return new MonitorStatusSource(settings.monitor, balancer);
  if (settings.etcd) return new EtcdStatusSource(settings.etcd, balancer);
  return undefined;
}
