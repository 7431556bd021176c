import { parseArgs } from 'node:util';
import { normalizeProxyOptions, type ProxyOptions } from '../proxy/options.js';
import { tokenVariable, UsageError } from './usage.js';

/** `soap-balancer proxy …`, parsed and checked. */
export interface ProxyCommand {
  /** Every proxy option but the status source, which the command makes. */
  readonly options: ProxyOptions;
  readonly serversFile: string | undefined;
  /** Where to serve `/metrics` and `/healthz` (`--admin-port`, `--admin-host`), if anywhere. */
  readonly admin: { readonly port: number; readonly host: string } | undefined;
  /** Worker processes sharing the port (`--workers`). */
  readonly workers: number;
}

/** Most worker processes `--workers` accepts: far more than cores on any machine this runs on. */
export const maxWorkers = 64;

/** Proxy options set by an integer flag. */
const integerFlags = {
  port: 'port',
  'max-attempts': 'maxAttempts',
  'timeout-ms': 'timeoutMs',
  'fetch-timeout-ms': 'fetchTimeoutMs',
  'max-body-bytes': 'maxBodyBytes',
  'replay-body-bytes': 'replayBodyBytes',
  'headers-timeout-ms': 'headersTimeoutMs',
  'request-timeout-ms': 'requestTimeoutMs',
  'drain-timeout-ms': 'drainTimeoutMs',
} as const;

const flags = {
  host: { type: 'string' },
  server: { type: 'string', multiple: true },
  'servers-file': { type: 'string' },
  monitor: { type: 'string' },
  etcd: { type: 'string', multiple: true },
  'etcd-prefix': { type: 'string' },
  idempotent: { type: 'string', multiple: true },
  'public-url': { type: 'string' },
  name: { type: 'string' },
  allow: { type: 'string', multiple: true },
  'admin-port': { type: 'string' },
  'admin-host': { type: 'string' },
  workers: { type: 'string' },
  ...Object.fromEntries(Object.keys(integerFlags).map((flag) => [flag, { type: 'string' }])),
} as const;

/** Option name → flag, to word the options' own validation errors in the user's terms. */
const flagOf: Record<string, string> = {
  ...Object.fromEntries(Object.entries(integerFlags).map(([flag, option]) => [option, flag])),
  host: 'host',
  publicUrl: 'public-url',
  name: 'name',
  servers: 'server',
  'monitor.url': 'monitor',
  'etcd.endpoints': 'etcd',
  'etcd.prefix': 'etcd-prefix',
};

/**
 * Parses the proxy's arguments and validates them with the library's own option checks. The monitor's
 * token, if it needs one, comes from the environment.
 * @throws {UsageError} naming the flag at fault.
 */
export function parseProxyArgs(args: readonly string[], env: NodeJS.ProcessEnv): ProxyCommand {
  const { values } = parseFlags(args);
  const options: Record<string, unknown> = {};
  for (const [flag, option] of Object.entries(integerFlags)) {
    const value = values[flag as keyof typeof values];
    if (typeof value === 'string') options[option] = integer(flag, value);
  }
  if (values.host !== undefined) options.host = values.host;
  if (values.server !== undefined) options.servers = values.server;
  if (values['public-url'] !== undefined) options.publicUrl = values['public-url'];
  if (values.name !== undefined) options.name = values.name;
  if (values.idempotent !== undefined) {
    const names = commaList(values.idempotent);
    options.idempotent = names.length === 1 && names[0] === '*' ? true : names;
  }
  if (values.allow !== undefined) options.allow = commaList(values.allow);
  if (values.monitor !== undefined) {
    const token = env[tokenVariable] || undefined;
    options.monitor = token === undefined ? { url: values.monitor } : { url: values.monitor, token };
  }
  if (values.etcd !== undefined) {
    if (values['etcd-prefix'] === undefined) throw new UsageError('`--etcd` needs `--etcd-prefix P`');
    options.etcd = { endpoints: values.etcd, prefix: values['etcd-prefix'] };
  } else if (values['etcd-prefix'] !== undefined) {
    throw new UsageError('`--etcd-prefix` needs `--etcd URL`');
  }
  const serversFile = values['servers-file'];
  const sources = [
    serversFile !== undefined && '--servers-file',
    values.monitor !== undefined && '--monitor',
    values.etcd !== undefined && '--etcd',
  ].filter(Boolean);
  if (sources.length > 1) throw new UsageError(`\`${sources[0]}\` and \`${sources[1]}\` exclude each other`);
  if (options.port === undefined) throw new UsageError('Give the port to listen on with `--port P`');
  if (values.server === undefined && sources.length === 0) {
    throw new UsageError(
      'Give the servers with `--server URL`, `--servers-file FILE`, `--monitor URL` or `--etcd URL`',
    );
  }
  try {
    // The servers file stands in for a status source here; the command gives the real one.
    normalizeProxyOptions(
      serversFile === undefined ? options : { ...options, statusSource: () => undefined },
    );
  } catch (error: unknown) {
    throw new UsageError(inFlagTerms(error));
  }
  return {
    options: options as ProxyOptions,
    serversFile,
    admin: adminFlags(values),
    workers: workerCount(values.workers),
  };
}

function adminFlags(values: { 'admin-port'?: string; 'admin-host'?: string }): ProxyCommand['admin'] {
  const port = values['admin-port'];
  const host = values['admin-host'];
  if (port === undefined) {
    if (host !== undefined) throw new UsageError('`--admin-host` needs `--admin-port N`');
    return undefined;
  }
  const number = integer('admin-port', port);
  if (number > 65_535) throw new UsageError(`\`--admin-port\` must be at most 65535, got \`${port}\``);
  if (host === '') throw new UsageError('`--admin-host` must not be empty');
  return { port: number, host: host ?? '127.0.0.1' };
}

function workerCount(value: string | undefined): number {
  if (value === undefined) return 1;
  const count = integer('workers', value);
  if (count < 1 || count > maxWorkers) {
    throw new UsageError(`\`--workers\` must be between 1 and ${maxWorkers}, got \`${value}\``);
  }
  return count;
}

function parseFlags(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: flags, strict: true, allowPositionals: false });
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** `--idempotent Add,Get --idempotent Sum` → `['Add', 'Get', 'Sum']`. */
function commaList(values: readonly string[]): string[] {
  const items = values.flatMap((value) => value.split(',')).map((item) => item.trim());
  const empty = items.find((item) => item === '');
  if (empty !== undefined) throw new UsageError('Empty name in a comma-separated list');
  return items;
}

function integer(flag: string, value: string): number {
  if (!/^\d{1,15}$/.test(value))
    throw new UsageError(`\`--${flag}\` expects a whole number, got \`${value}\``);
  return Number(value);
}

function inFlagTerms(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/`([\w.]+)(\[\d+\])?`/g, (whole, name: string) =>
    flagOf[name] ? `\`--${flagOf[name]}\`` : whole,
  );
}
