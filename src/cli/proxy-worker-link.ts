import cluster from 'node:cluster';
import type { MetricFamily } from '../metrics/families.js';

/** Set by the primary in each worker's environment: the worker's slot, `1` to `--workers`. */
export const workerVariable = 'SOAP_BALANCER_PROXY_WORKER';

/** Messages between the primary and its proxy workers (`process.send`, JSON). */
export type ToWorker = { readonly type: 'stop' } | { readonly type: 'metrics'; readonly id: number };
export type FromWorker =
  | { readonly type: 'listening'; readonly url: string }
  | { readonly type: 'metrics'; readonly id: number; readonly families: MetricFamily[] };

/** A proxy worker's side of the link with its primary. */
export interface WorkerLink {
  /** The worker's slot, for its log lines. */
  readonly slot: string;
  /** Resolves when the primary asks the worker to drain, or is gone (its channel closed). */
  readonly stopRequested: Promise<void>;
  listening(url: string): void;
  /** Answers the primary's metrics requests with these families until {@link close}. */
  serveMetrics(families: () => MetricFamily[]): void;
  /** Closes the channel, the last thing keeping the worker alive once its proxy is closed. */
  close(): void;
}

/** The link if this process is a proxy worker forked by `soap-balancer proxy --workers N`, else `undefined`. */
export function workerLink(env: NodeJS.ProcessEnv): WorkerLink | undefined {
  const slot = env[workerVariable];
  if (!cluster.isWorker || slot === undefined) return undefined;
  let families: (() => MetricFamily[]) | undefined;
  const send = (message: FromWorker) => {
    if (process.connected) process.send?.(message);
  };
  const stopRequested = new Promise<void>((resolve) => {
    process.on('message', (message: ToWorker) => {
      if (message.type === 'stop') resolve();
      else if (message.type === 'metrics')
        send({ type: 'metrics', id: message.id, families: families?.() ?? [] });
    });
    process.once('disconnect', () => resolve());
  });
  return {
    slot,
    stopRequested,
    listening: (url) => send({ type: 'listening', url }),
    serveMetrics: (source) => {
      families = source;
    },
    close: () => {
      if (process.connected) process.disconnect();
    },
  };
}
