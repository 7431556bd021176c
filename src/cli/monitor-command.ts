import { createMonitor, type Monitor } from '../monitor/monitor.js';
import { defaultMonitorOptions } from '../monitor/options.js';
import { assertDistinct, type MonitoredServerEntry, maxMonitoredServers } from '../monitor/server-entry.js';
import { ServersFileWatcher } from '../servers-file/watcher.js';
import { logDrainChanges, logLiveness } from './liveness-log.js';
import { createLogger, type Logger } from './log-lines.js';
import { type MonitorCommand, parseMonitorArgs, wantsHelp } from './monitor-args.js';
import { publishToEtcd } from './monitor-etcd.js';
import { stopSignal } from './stop-signal.js';
import { exitCode, monitorUsage, UsageError } from './usage.js';

/** Where the CLI writes, and what it reads of its environment. */
export interface CliIo {
  /** Writes one line to standard output. */
  readonly out: (line: string) => void;
  /** Writes one line to standard error. */
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * `soap-balancer monitor …`: probes, serves `/status`, and runs until SIGINT or SIGTERM.
 * @returns the exit code.
 * @throws {UsageError} for bad arguments or an unusable servers file.
 */
export async function runMonitorCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (wantsHelp(args)) {
    io.out(monitorUsage.trimEnd());
    return exitCode.ok;
  }
  const command = parseMonitorArgs(args, io.env);
  const watcher = command.serversFile === undefined ? undefined : new ServersFileWatcher(command.serversFile);
  const fromFile = await watcher?.read().catch((error: unknown) => {
    throw new UsageError(`\`--servers-file\`: ${messageOf(error)}`);
  });
  const servers = allServers(command, fromFile ?? [], UsageError);
  const monitor = monitorFor(command, servers);
  const log = createLogger(command.logFormat, io.err);
  const firstRoundDone = logLiveness(monitor, log);
  // Listened for from the start: a signal during the first round must close cleanly too.
  const stop = stopSignal();
  let stopEtcd: (() => Promise<void>) | undefined;
  try {
    await Promise.race([monitor.start(), stop.received]);
    if (stop.signal() === undefined) {
      firstRoundDone();
      const { url } = await monitor.listen({ port: command.port, host: command.host });
      io.out(`soap-balancer monitor listening on ${url}`);
      stopEtcd = command.etcd && publishToEtcd(command.etcd, monitor, io.err);
      watcher?.watch(
        command.options.intervalMs ?? defaultMonitorOptions.intervalMs,
        (entries) => applyFile(monitor, command, entries, log),
        (error) => log.warn(`servers file not applied: ${error.message}`),
      );
    }
    const signal = await stop.received;
    log.info(`${signal}: closing`, { signal });
    return exitCode.ok;
  } catch (error: unknown) {
    log.error(`soap-balancer monitor: ${messageOf(error)}`);
    return exitCode.failure;
  } finally {
    stop.dispose();
    watcher?.close();
    await stopEtcd?.();
    await monitor.close();
  }
}

/**
 * The servers of `--server` and `--servers-file` together, validated as a whole (distinct, at most the
 * number one monitor watches) before anything is done with them.
 */
function allServers(
  command: MonitorCommand,
  fromFile: readonly MonitoredServerEntry[],
  ErrorType: new (message: string) => Error,
): MonitoredServerEntry[] {
  const servers = [...command.servers, ...fromFile];
  if (servers.length > maxMonitoredServers) {
    throw new ErrorType(
      `\`--server\` and \`--servers-file\` give ${servers.length} servers, more than the ${maxMonitoredServers} one monitor watches`,
    );
  }
  try {
    assertDistinct(servers, '--server and --servers-file');
  } catch (error: unknown) {
    throw new ErrorType(messageOf(error));
  }
  return servers;
}

/** A reloaded file is applied whole or, when it cannot be, not at all: the monitor stays as it was. */
function applyFile(
  monitor: Monitor,
  command: MonitorCommand,
  entries: MonitoredServerEntry[],
  log: Logger,
): void {
  try {
    const servers = allServers(command, entries, Error);
    const before = monitor.servers();
    const { added, removed } = monitor.setServers(servers);
    log.info(`servers file reloaded: ${servers.length} servers (${added} added, ${removed} removed)`, {
      servers: servers.length,
      added,
      removed,
    });
    logDrainChanges(before, monitor.servers(), log);
  } catch (error: unknown) {
    log.warn(`servers file not applied: ${messageOf(error)}`);
  }
}

/** The monitor; its options were checked flag by flag already, so an error here is still the user's input. */
function monitorFor(command: MonitorCommand, servers: MonitoredServerEntry[]): Monitor {
  try {
    return createMonitor({ ...command.options, servers });
  } catch (error: unknown) {
    throw new UsageError(messageOf(error));
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
