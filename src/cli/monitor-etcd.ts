import { MonitorEtcdPublisher } from '../etcd/monitor-publisher.js';
import type { EtcdWriterSettings } from '../etcd/writer-options.js';
import type { Monitor } from '../monitor/monitor.js';

/**
 * `--etcd`: publishes the monitor's probe results in etcd (when elected leader among the monitors
 * sharing the prefix) and logs leadership changes and etcd errors, the latter once per outage.
 * Returns what stops it.
 */
export function publishToEtcd(
  settings: EtcdWriterSettings,
  monitor: Monitor,
  log: (line: string) => void,
): () => Promise<void> {
  let failing = false;
  const publisher = new MonitorEtcdPublisher(settings, () => monitor.snapshot().servers, {
    leadership: (leading) => {
      failing = false;
      log(
        leading
          ? `etcd: leading, writing the statuses under ${settings.prefix}`
          : 'etcd: not leading, another monitor writes',
      );
    },
    error: (error) => {
      if (failing) return;
      failing = true;
      log(`etcd: ${error instanceof Error ? error.message : String(error)}`);
    },
  });
  return () => publisher.close();
}
