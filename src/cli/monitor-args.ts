import { parseArgs } from 'node:util';
import { type EtcdWriterSettings, etcdWriterSettings } from '../etcd/writer-options.js';
import { type MonitorOptions, normalizeMonitorOptions } from '../monitor/options.js';
import { type MonitoredServerEntry, normalizeServerEntry } from '../monitor/server-entry.js';
import { defaultStatusListenOptions } from '../monitor/status-listen.js';
import { type LogFormat, logFormats } from './log-lines.js';
import { tokenVariable, UsageError } from './usage.js';

/** `soap-balancer monitor …`, parsed and checked. */
export interface MonitorCommand {
  readonly servers: readonly MonitoredServerEntry[];
  readonly serversFile: string | undefined;
  readonly port: number;
  readonly host: string;
  readonly logFormat: LogFormat;
  /** Every monitor option but `servers`. */
  readonly options: Omit<MonitorOptions, 'servers'>;
  /** Where to publish the probe results (`--etcd`, `--etcd-prefix`, `--etcd-lease-ttl`), if anywhere. */
  readonly etcd?: EtcdWriterSettings;
}

/** Monitor options set by an integer flag. */
const integerFlags = {
  'interval-ms': 'intervalMs',
  'timeout-ms': 'timeoutMs',
  rise: 'rise',
  fall: 'fall',
  concurrency: 'concurrency',
} as const;

const flags = {
  server: { type: 'string', multiple: true },
  'servers-file': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  token: { type: 'string' },
  'health-path': { type: 'string' },
  'load-path': { type: 'string' },
  'no-load-path': { type: 'boolean' },
  'log-format': { type: 'string' },
  'etag-load-threshold': { type: 'string' },
  etcd: { type: 'string', multiple: true },
  'etcd-prefix': { type: 'string' },
  'etcd-lease-ttl': { type: 'string' },
  ...Object.fromEntries(Object.keys(integerFlags).map((flag) => [flag, { type: 'string' }])),
} as const;

/** Option name → flag, to word the monitor's own validation errors in the user's terms. */
const flagOf: Record<string, string> = {
  ...Object.fromEntries(Object.entries(integerFlags).map(([flag, option]) => [option, flag])),
  healthPath: 'health-path',
  loadPath: 'load-path',
  token: 'token',
  etagLoadThreshold: 'etag-load-threshold',
};

/** True when the arguments ask for help (then nothing else is checked). */
export function wantsHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

/**
 * Parses the monitor's arguments. The token comes from `--token`, else from the environment.
 * @throws {UsageError} naming the flag at fault.
 */
export function parseMonitorArgs(args: readonly string[], env: NodeJS.ProcessEnv): MonitorCommand {
  const { values } = parseFlags(args);
  if (values['load-path'] !== undefined && values['no-load-path']) {
    throw new UsageError('`--load-path` and `--no-load-path` exclude each other');
  }
  const options: Record<string, unknown> = {};
  for (const [flag, option] of Object.entries(integerFlags)) {
    const value = values[flag as keyof typeof values];
    if (typeof value === 'string') options[option] = integer(flag, value);
  }
  if (values['health-path'] !== undefined) options.healthPath = values['health-path'];
  if (values['load-path'] !== undefined) options.loadPath = values['load-path'];
  if (values['no-load-path']) options.loadPath = false;
  const threshold = values['etag-load-threshold'];
  if (threshold !== undefined) {
    if (!/^\d{1,6}(\.\d{1,6})?$/.test(threshold))
      throw new UsageError(`\`--etag-load-threshold\` expects a number such as 0.1, got \`${threshold}\``);
    options.etagLoadThreshold = Number(threshold);
  }
  const token = values.token ?? (env[tokenVariable] || undefined);
  if (token !== undefined) options.token = token;
  try {
    normalizeMonitorOptions({ servers: [], ...options });
  } catch (error: unknown) {
    throw new UsageError(inFlagTerms(error));
  }
  const servers = (values.server ?? []).map((url) => {
    try {
      return normalizeServerEntry(url, '--server');
    } catch (error: unknown) {
      throw new UsageError(inFlagTerms(error));
    }
  });
  const port = values.port === undefined ? defaultStatusListenOptions.port : integer('port', values.port);
  if (port > 65_535) throw new UsageError(`\`--port\` must be at most 65535, got \`${port}\``);
  if (values.host === '') throw new UsageError('`--host` must not be empty');
  const logFormat = (values['log-format'] ?? 'text') as LogFormat;
  if (!logFormats.includes(logFormat)) {
    throw new UsageError(`\`--log-format\` must be ${logFormats.join(' or ')}, got \`${logFormat}\``);
  }
  // Last, so that a typo in another flag is what gets reported.
  if (servers.length === 0 && values['servers-file'] === undefined) {
    throw new UsageError('Give the servers to watch with `--server URL` or `--servers-file FILE`');
  }
  const etcd = etcdFlags(values.etcd, values['etcd-prefix'], values['etcd-lease-ttl']);
  return {
    ...(etcd === undefined ? {} : { etcd }),
    servers,
    serversFile: values['servers-file'],
    port,
    host: values.host ?? defaultStatusListenOptions.host,
    logFormat,
    options: options as Omit<MonitorOptions, 'servers'>,
  };
}

function etcdFlags(
  endpoints: string[] | undefined,
  prefix: string | undefined,
  leaseTtl: string | undefined,
): EtcdWriterSettings | undefined {
  if (endpoints === undefined) {
    if (prefix !== undefined || leaseTtl !== undefined) {
      throw new UsageError('`--etcd-prefix` and `--etcd-lease-ttl` need `--etcd URL`');
    }
    return undefined;
  }
  if (prefix === undefined) throw new UsageError('`--etcd` needs `--etcd-prefix P`');
  const ttl = leaseTtl === undefined ? undefined : integer('etcd-lease-ttl', leaseTtl);
  try {
    const { given: _, ...settings } = etcdWriterSettings('etcd', {
      endpoints,
      prefix,
      ...(ttl === undefined ? {} : { leaseTtlSeconds: ttl }),
    });
    return settings;
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(
      message
        .replace(/`etcd\.endpoints(\[\d+\])?`/g, '`--etcd`')
        .replace('`etcd.prefix`', '`--etcd-prefix`')
        .replace('`etcd.leaseTtlSeconds`', '`--etcd-lease-ttl`'),
    );
  }
}

function parseFlags(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: flags, strict: true, allowPositionals: false });
  } catch (error: unknown) {
    // parseArgs words its errors with the flag (`Unknown option '--foo'`, `Option '--port <value>' …`).
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function integer(flag: string, value: string): number {
  if (!/^\d{1,15}$/.test(value))
    throw new UsageError(`\`--${flag}\` expects a whole number, got \`${value}\``);
  return Number(value);
}

function inFlagTerms(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/`(\w+)`/g, (whole, name: string) =>
    flagOf[name] ? `\`--${flagOf[name]}\`` : whole,
  );
}
