import type { SoapBalancerError } from '../errors.js';
import type { ServerStatus } from '../status/schema.js';

/** A failed probe: the server did not answer in time, refused the connection, or answered 5xx. */
export interface ProbeErrorEvent {
  readonly id: string;
  readonly url: string;
  /**
   * Code `SOAPBAL_PROBE_FAILED`; the message says the URL probed and what failed (refused, timed out,
   * HTTP status, closed early), `cause` is the underlying error when there is one.
   */
  readonly error: SoapBalancerError;
}

/** The monitor's typed events. */
export interface MonitorEvents {
  /** The server's verdict became "alive" (state `up`, or `draining`): first probe, or `rise` successes in a row. */
  serverUp: [ServerStatus];
  /** The server's verdict became "dead": first probe, or `fall` failures in a row. */
  serverDown: [ServerStatus];
  /** Every failed probe, whether or not it changed the verdict. */
  probeError: [ProbeErrorEvent];
}
