import type { SoapBalancerError } from '../errors.js';

/**
 * Where a balanced client learns the servers' status: the monitor's HTTP API today, a distributed
 * store or a service registry tomorrow. A source only fetches, validates and reports: it hands what it
 * learns to the Balancer's status methods (`applyStatus`, `applyStatusChanges`, `confirmStatus`,
 * `statusFailed`, `expireStatus`), which apply the allow rule and emit the events, whatever the source.
 */
export interface StatusSource {
  /**
   * Starts the source and waits for its first status (bounded by the source's own timeout).
   * Resolves `false` when that failed; `lastError` says why.
   */
  start(): Promise<boolean>;
  /** Called before every call: where a source asked upon request refreshes, and any source expires. */
  beforeCall(): void;
  /** The error of the latest failure, while the source is failing. */
  readonly lastError: SoapBalancerError | undefined;
  /** Stops every request, timer and connection of the source. Idempotent. */
  close(): void;
}
