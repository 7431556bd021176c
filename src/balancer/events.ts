import type { FailureKind, SoapBalancerError } from '../errors.js';

/** A server was marked down: by this client after a failure, or by the monitor's status. */
export type ServerDownEvent =
  | {
      readonly server: string;
      readonly source: 'client';
      readonly failure: FailureKind;
      /** Epoch ms when this client will try it again. */
      readonly until: number;
      readonly consecutiveFailures: number;
    }
  | {
      readonly server: string;
      readonly source: 'monitor';
      /** `down`, or `draining` (alive, but to be given no new calls). */
      readonly state: 'down' | 'draining';
    };

/** A server can be given calls again: it answered after failing, or the monitor says it is up. */
export interface ServerUpEvent {
  readonly server: string;
  readonly source: 'client' | 'monitor';
}

/** A call (or WSDL fetch) moves on to another server after a failed attempt. */
export interface FailoverEvent {
  /** The SOAP operation; `undefined` for a WSDL or schema fetch. */
  readonly operation: string | undefined;
  readonly from: string;
  readonly to: string;
  readonly failure: FailureKind;
  /** Number of the attempt about to be made (2 for the first failover). */
  readonly attempt: number;
}

/** A status from the monitor was applied (or confirmed unchanged by a 304). */
export interface StatusUpdateEvent {
  /** `false` when the monitor answered 304 Not Modified. */
  readonly changed: boolean;
  /** Servers in the pool after the update. */
  readonly servers: number;
  /** The snapshot's own `generatedAt`. */
  readonly generatedAt: string;
}

/** A status request failed; calls go on with the last known pool and this client's own signals. */
export interface MonitorErrorEvent {
  /** Code `SOAPBAL_MONITOR_UNAVAILABLE` or `SOAPBAL_MONITOR_INVALID_STATUS`, with the cause. */
  readonly error: SoapBalancerError;
  readonly consecutiveFailures: number;
}

/** The balancer's typed events. */
export interface BalancerEvents {
  serverDown: [ServerDownEvent];
  serverUp: [ServerUpEvent];
  /** A server joined the pool (the monitor reported a new one). */
  serverAdded: [{ readonly server: string }];
  /** A server left the pool (the monitor no longer reports it). */
  serverRemoved: [{ readonly server: string }];
  failover: [FailoverEvent];
  statusUpdate: [StatusUpdateEvent];
  monitorError: [MonitorErrorEvent];
  /** The monitor answers again after failures. */
  monitorRecovered: [{ readonly afterFailures: number }];
  /** The last good status is older than `maxAgeMs`: the monitor's word is ignored until a fresh one comes. */
  statusExpired: [{ readonly ageMs: number }];
}
