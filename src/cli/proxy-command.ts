import { compileAllowRule } from '../balancer/allow-rule.js';
import { createProxy, type SoapProxy } from '../proxy/create-proxy.js';
import type { ProxyOptions } from '../proxy/options.js';
import { ServersFileStatusSource } from '../status/servers-file-source.js';
import type { CliIo } from './monitor-command.js';
import { type AdminServer, startAdminServer } from './proxy-admin.js';
import { type ProxyCommand, parseProxyArgs } from './proxy-args.js';
import { runProxyPrimary } from './proxy-primary.js';
import { type WorkerLink, workerLink } from './proxy-worker-link.js';
import { stopSignal } from './stop-signal.js';
import { exitCode, proxyUsage } from './usage.js';

/**
 * `soap-balancer proxy …`: serves SOAP clients as the service would, balancing their calls, until
 * SIGINT or SIGTERM; then drains the calls in flight and exits 0. With `--workers N` (N > 1) this
 * process is the primary of N workers (see `proxy-primary.ts`), each of which runs this command too.
 * @returns the exit code.
 * @throws {UsageError} for bad arguments.
 */
export async function runProxyCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(proxyUsage.trimEnd());
    return exitCode.ok;
  }
  const command = parseProxyArgs(args, io.env);
  const link = workerLink(io.env);
  if (link === undefined && command.workers > 1) return runProxyPrimary(command, args, io);
  return serveProxy(command, io, link);
}

/** Runs one proxy in this process: the whole proxy, or one worker of several (`link`). */
async function serveProxy(command: ProxyCommand, io: CliIo, link: WorkerLink | undefined): Promise<number> {
  const stop = stopSignal();
  const stopped = link ? Promise.race([stop.received, link.stopRequested]) : stop.received;
  let stopping = false;
  void stopped.then(() => (stopping = true));
  const log = link ? (line: string) => io.err(`worker ${link.slot}: ${line}`) : io.err;
  let proxy: SoapProxy | undefined;
  let admin: AdminServer | undefined;
  try {
    const starting = createProxy(withServersFile(command.options, command.serversFile));
    // A signal during the start is honoured once the proxy exists (the start is bounded by its timeouts).
    await Promise.race([starting, stopped]);
    proxy = await starting;
    if (stopping) return exitCode.ok;
    const running = proxy;
    running.on('serverDown', (event) =>
      log(`server ${event.server} is down (${'failure' in event ? event.failure : event.state})`),
    );
    running.on('serverUp', ({ server }) => log(`server ${server} is up`));
    running.on('statusError', ({ error }) => log(`${error.code}: ${error.message}`));
    if (link) {
      link.serveMetrics(() => running.metrics());
      link.listening(running.url);
    } else {
      if (command.admin) {
        admin = await startAdminServer(command.admin.port, command.admin.host, {
          metrics: () => running.metrics(),
          serving: () => !stopping,
        });
      }
      io.out(`soap-balancer proxy listening on ${running.url}`);
      if (admin) io.out(`soap-balancer proxy admin on ${admin.url}`);
    }
    const signal = await stopped;
    log(`${signal ?? 'asked to stop'}: draining the calls in flight, then closing`);
    return exitCode.ok;
  } catch (error: unknown) {
    log(`soap-balancer proxy: ${error instanceof Error ? error.message : String(error)}`);
    return exitCode.failure;
  } finally {
    stop.dispose();
    await Promise.all([proxy?.close(), admin?.close()]);
    link?.close();
  }
}

/**
 * With a servers file, the pool comes from it (reread when it changes), and the servers it names are
 * allowed as if given with `--server`: the file is the operator's own configuration.
 */
function withServersFile(options: ProxyOptions, file: string | undefined): ProxyOptions {
  if (file === undefined) return options;
  let source: ServersFileStatusSource | undefined;
  const allowed = compileAllowRule(options.allow, options.servers ?? []);
  return {
    ...options,
    statusSource: (balancer) => {
      source = new ServersFileStatusSource(file, balancer);
      return source;
    },
    allow: (url) => source?.lists(url) === true || allowed(url.href),
  };
}
