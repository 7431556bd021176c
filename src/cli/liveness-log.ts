import type { SoapBalancerError } from '../errors.js';
import type { Monitor } from '../monitor/monitor.js';
import type { ServerStatus } from '../status/schema.js';
import type { Logger } from './log-lines.js';

/**
 * Logs the monitor's liveness verdicts, one line each: once the first round is done, a summary naming
 * the servers found down, then each of them with why; after that, every change. A server down is logged
 * with the failed probe that decided it (`SOAPBAL_PROBE_FAILED: Probe GET <url> failed: <what>`); one
 * coming back alive while drained is logged as draining, not up. Call before `monitor.start()`, so that
 * the first round's failures are known too.
 * @returns what to call once the first round is done.
 */
export function logLiveness(monitor: Monitor, log: Logger): () => void {
  const lastError = new Map<string, SoapBalancerError>();
  const logDown = ({ id, url }: ServerStatus) => {
    const error = lastError.get(id);
    lastError.delete(id);
    const reason = error === undefined ? 'probe failed' : `${error.code}: ${error.message}`;
    log.warn(`server ${id} is down (${reason})`, {
      server: id,
      url,
      state: 'down',
      ...(error ? { code: error.code } : {}),
    });
  };
  monitor.on('probeError', ({ id, error }) => lastError.set(id, error));
  return () => {
    const { servers } = monitor.snapshot();
    const down = servers.filter((server) => server.state === 'down');
    const ids = down.map((server) => server.id);
    const summary = `first round done: ${servers.length - down.length} of ${servers.length} servers alive`;
    const fields = { alive: servers.length - down.length, servers: servers.length, down: ids };
    if (down.length === 0) log.info(summary, fields);
    else log.warn(`${summary}; down: ${ids.join(', ')}`, fields);
    for (const server of down) logDown(server);
    monitor.on('serverUp', ({ id, url, state }) => {
      lastError.delete(id);
      log.info(`server ${id} is ${state}`, { server: id, url, state });
    });
    monitor.on('serverDown', logDown);
  };
}

/**
 * Logs the servers whose drain flag a change of membership (a reloaded servers file) flipped while
 * they are alive: `before` are the statuses from before the change.
 */
export function logDrainChanges(
  before: readonly ServerStatus[],
  after: readonly ServerStatus[],
  log: Logger,
): void {
  const previous = new Map(before.map((server) => [server.id, server.state]));
  for (const { id, url, state } of after) {
    const was = previous.get(id);
    if (was === undefined || was === 'down' || state === was) continue;
    log.info(
      state === 'draining' ? `server ${id} is draining` : `server ${id} is back in service (${state})`,
      {
        server: id,
        url,
        state,
      },
    );
  }
}
