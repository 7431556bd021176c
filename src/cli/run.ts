import { readFileSync } from 'node:fs';
import { type CliIo, runMonitorCommand } from './monitor-command.js';
import { runProxyCommand } from './proxy-command.js';
import { runStatusCommand } from './status-command.js';
import { exitCode, mainUsage, UsageError } from './usage.js';

/**
 * Runs the command line `args` (without `node` and the script) and returns the exit code: 0, 1 when
 * the command failed, 2 for bad arguments (with the usage hint on stderr).
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args;
  try {
    if (command === undefined || command === '--help' || command === '-h') {
      io.out(mainUsage.trimEnd());
      return exitCode.ok;
    }
    if (command === '--version' || command === '-v') {
      io.out(version());
      return exitCode.ok;
    }
    if (command === 'monitor') return await runMonitorCommand(rest, io);
    if (command === 'status') return await runStatusCommand(rest, io);
    if (command === 'proxy') return await runProxyCommand(rest, io);
    throw new UsageError(`Unknown command \`${command}\``);
  } catch (error: unknown) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`soap-balancer: ${error.message}`);
    const known = command === 'monitor' || command === 'status' || command === 'proxy';
    io.err(`Run \`soap-balancer ${known ? `${command} ` : ''}--help\` for usage.`);
    return exitCode.usage;
  }
}

/** The package's version; package.json is two levels up from both src/cli/ and dist/cli/. */
function version(): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return String((manifest as { version?: unknown }).version);
}
