import type { FailureKind, SoapBalancerError } from '../errors.js';

/** A server was marked down: by this client after a failure, or by the status source. */
export type ServerDownEvent =
  | {
      readonly server: string;
      readonly source: 'client';
      readonly failure: FailureKind;
      /** Epoch ms when this client will try it again. */
      readonly until: number;
      readonly consecutiveFailures: number;
      /** The wait the server asked for in `Retry-After` (ms), when it sent one. */
      readonly retryAfterMs?: number;
    }
  | {
      readonly server: string;
      readonly source: 'status';
      /** `down`, or `draining` (alive, but to be given no new calls). */
      readonly state: 'down' | 'draining';
    };

/** A server can be given calls again: it answered after failing, or the status source says it is up. */
export interface ServerUpEvent {
  readonly server: string;
  readonly source: 'client' | 'status';
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

/** A status was applied (or confirmed unchanged by a 304). */
export interface StatusUpdateEvent {
  /** `false` when the status source confirmed the status in hand (HTTP 304 Not Modified). */
  readonly changed: boolean;
  /** Servers in the pool after the update. */
  readonly servers: number;
  /** The snapshot's own `generatedAt`. */
  readonly generatedAt: string;
  /** Servers the status listed that the `allow` rule kept out of the pool. */
  readonly notAllowed: number;
}

/** A status request failed; calls go on with the last known pool and this client's own signals. */
export interface StatusErrorEvent {
  /** Code `SOAPBAL_STATUS_UNAVAILABLE` or `SOAPBAL_STATUS_INVALID`, with the cause. */
  readonly error: SoapBalancerError;
  readonly consecutiveFailures: number;
}

/** A status source listed a server that the `allow` rule refuses: it gets no call. */
export interface ServerNotAllowedEvent {
  readonly server: string;
}

/** The balancer's typed events. */
export interface BalancerEvents {
  serverDown: [event: ServerDownEvent];
  serverUp: [event: ServerUpEvent];
  /** A server joined the pool (the status source reported a new one). */
  serverAdded: [event: { readonly server: string }];
  /** A server left the pool (the status source no longer reports it). */
  serverRemoved: [event: { readonly server: string }];
  /** Emitted once per server URL (for the first 10,000 such URLs), however often it is listed. */
  serverNotAllowed: [event: ServerNotAllowedEvent];
  failover: [event: FailoverEvent];
  statusUpdate: [event: StatusUpdateEvent];
  statusError: [event: StatusErrorEvent];
  /** The status source answers again after failures. */
  statusRecovered: [event: { readonly afterFailures: number }];
  /** The last good status is older than `maxAgeMs`: its word is ignored until a fresh one comes. */
  statusExpired: [event: { readonly ageMs: number }];
}
