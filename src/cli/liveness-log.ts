import type { SoapBalancerError } from '../errors.js';
import type { Monitor } from '../monitor/monitor.js';

/**
 * Logs the monitor's liveness verdicts, one line each: once the first round is done, a summary and
 * every server found down; after that, every change. A server down is logged with the failed probe that
 * decided it (`SOAPBAL_PROBE_FAILED: Probe GET <url> failed: <what>`). Call before `monitor.start()`,
 * so that the first round's failures are known too.
 * @returns what to call once the first round is done.
 */
export function logLiveness(monitor: Monitor, log: (line: string) => void): () => void {
  const lastError = new Map<string, SoapBalancerError>();
  const why = (id: string) => {
    const error = lastError.get(id);
    lastError.delete(id);
    return error === undefined ? 'probe failed' : `${error.code}: ${error.message}`;
  };
  monitor.on('probeError', ({ id, error }) => lastError.set(id, error));
  return () => {
    const { servers } = monitor.snapshot();
    const down = servers.filter((server) => server.state === 'down');
    log(`first round done: ${servers.length - down.length} of ${servers.length} servers alive`);
    for (const { id } of down) log(`server ${id} is down (${why(id)})`);
    monitor.on('serverUp', ({ id }) => {
      lastError.delete(id);
      log(`server ${id} is up`);
    });
    monitor.on('serverDown', ({ id }) => log(`server ${id} is down (${why(id)})`));
  };
}
