import { parseArgs } from 'node:util';
import { statusUrl } from '../client/monitor-options.js';
import { httpUrl, maxTimerMs } from '../validate.js';
import { tokenVariable, UsageError } from './usage.js';

/** `soap-balancer status …`, parsed and checked. */
export interface StatusCommand {
  /** The monitor's `/status` URL. */
  readonly url: string;
  readonly token: string | undefined;
  /** Redraw every `intervalMs` until Ctrl-C. */
  readonly watch: boolean;
  readonly intervalMs: number;
  /** Limit for each status request. */
  readonly timeoutMs: number;
}

export const defaultStatusIntervalMs = 2_000;
export const defaultStatusTimeoutMs = 5_000;

export const statusUsage = `Usage: soap-balancer status --monitor URL [--watch] [options]

Shows the pool as a monitor sees it: one row per server with its state, load (and where it comes
from), requests in flight and queued, capacity, calls served, probe latency and time since its last
check. Like HAProxy's "show stat".

  --monitor URL         The monitor's address, e.g. http://127.0.0.1:8700 (or its /status URL)
  --token T             Bearer token the monitor requires. Better: set ${tokenVariable}
  --watch               Redraw every --interval-ms until Ctrl-C
  --interval-ms N       Time between redraws with --watch (default ${defaultStatusIntervalMs})
  --timeout-ms N        Time one status request may take (default ${defaultStatusTimeoutMs})
  -h, --help            Show this help

Exit codes: 0 shown (with --watch: stopped by Ctrl-C), 1 the monitor could not be asked or sent no
valid status, 2 bad arguments.
`;

const flags = {
  monitor: { type: 'string' },
  token: { type: 'string' },
  watch: { type: 'boolean' },
  'interval-ms': { type: 'string' },
  'timeout-ms': { type: 'string' },
} as const;

/**
 * Parses the status command's arguments; the token comes from `--token`, else from the environment.
 * @throws {UsageError} naming the flag at fault.
 */
export function parseStatusArgs(args: readonly string[], env: NodeJS.ProcessEnv): StatusCommand {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(args).values;
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.monitor === undefined) throw new UsageError('Give the monitor with `--monitor URL`');
  let url: string;
  try {
    url = statusUrl(httpUrl('--monitor', values.monitor));
  } catch {
    throw new UsageError(`\`--monitor\` must be an http(s) URL, got \`${values.monitor}\``);
  }
  return {
    url,
    token: values.token ?? (env[tokenVariable] || undefined),
    watch: values.watch ?? false,
    intervalMs: milliseconds('interval-ms', values['interval-ms'], defaultStatusIntervalMs),
    timeoutMs: milliseconds('timeout-ms', values['timeout-ms'], defaultStatusTimeoutMs),
  };
}

function parse(args: readonly string[]) {
  return parseArgs({ args: [...args], options: flags, strict: true, allowPositionals: false });
}

function milliseconds(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
  if (!(ms >= 1 && ms <= maxTimerMs)) {
    throw new UsageError(
      `\`--${flag}\` expects a whole number of ms from 1 to ${maxTimerMs}, got \`${value}\``,
    );
  }
  return ms;
}
