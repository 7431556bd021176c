import { parseStatusSnapshot, type StatusSnapshot } from '../status/schema.js';
import type { CliIo } from './monitor-command.js';
import { parseStatusArgs, type StatusCommand, statusUsage } from './status-args.js';
import { renderStatusTable } from './status-table.js';
import { stopSignal } from './stop-signal.js';
import { exitCode } from './usage.js';

/** Moves the cursor home and clears the screen, as `watch` does before each frame. */
const clearScreen = '\x1b[H\x1b[2J';

/**
 * `soap-balancer status --monitor URL [--watch]`: prints the pool as a table, once or every interval
 * until SIGINT/SIGTERM. With `--watch`, a failed request after the first is shown in place of the
 * table and the next interval tries again (the monitor may be restarting).
 * @returns the exit code: 0, or 1 when the monitor could not be asked at first.
 * @throws {UsageError} for bad arguments.
 */
export async function runStatusCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(statusUsage.trimEnd());
    return exitCode.ok;
  }
  const command = parseStatusArgs(args, io.env);
  let snapshot: StatusSnapshot;
  try {
    snapshot = await fetchStatus(command);
  } catch (error: unknown) {
    io.err(`soap-balancer status: ${messageOf(error)}`);
    return exitCode.failure;
  }
  if (!command.watch) {
    for (const line of renderStatusTable(snapshot, command.url, Date.now())) io.out(line);
    return exitCode.ok;
  }
  const stop = stopSignal();
  try {
    for (;;) {
      io.out(`${clearScreen}${renderStatusTable(snapshot, command.url, Date.now()).join('\n')}`);
      if (await stoppedWithin(command.intervalMs, stop.received)) return exitCode.ok;
      snapshot = await fetchStatus(command).catch((error: unknown) => {
        io.out(`${clearScreen}${command.url}  not updated: ${messageOf(error)}`);
        return snapshot;
      });
    }
  } finally {
    stop.dispose();
  }
}

/** Asks the monitor for its status; the message of a failure says what went wrong, in the user's terms. */
async function fetchStatus(command: StatusCommand): Promise<StatusSnapshot> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (command.token !== undefined) headers.Authorization = `Bearer ${command.token}`;
  let response: Response;
  try {
    response = await fetch(command.url, { headers, signal: AbortSignal.timeout(command.timeoutMs) });
  } catch (error: unknown) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new Error(`cannot reach the monitor at ${command.url} (${messageOf(error)}${cause})`);
  }
  if (response.status === 401) throw new Error(`the monitor at ${command.url} refused the token (HTTP 401)`);
  if (!response.ok) throw new Error(`the monitor at ${command.url} answered HTTP ${response.status}`);
  try {
    return parseStatusSnapshot(await response.json());
  } catch (error: unknown) {
    throw new Error(`the monitor at ${command.url} sent no valid status: ${messageOf(error)}`);
  }
}

/** Waits `ms`, or less if a stop signal comes first; true when it did. The timer never outlives it. */
async function stoppedWithin(ms: number, stop: Promise<NodeJS.Signals>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([elapsed, stop.then(() => true)]);
  } finally {
    clearTimeout(timer);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
