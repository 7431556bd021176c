import type { ServerStatus } from '../status/schema.js';

/** A failed probe: the server did not answer in time, refused the connection, or answered 5xx. */
export interface ProbeErrorEvent {
  readonly id: string;
  readonly url: string;
  readonly error: Error;
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
