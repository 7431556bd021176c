import { compileAllowRule } from '../balancer/allow-rule.js';
import { createProxy, type SoapProxy } from '../proxy/create-proxy.js';
import type { ProxyOptions } from '../proxy/options.js';
import { ServersFileStatusSource } from '../status/servers-file-source.js';
import type { CliIo } from './monitor-command.js';
import { parseProxyArgs } from './proxy-args.js';
import { stopSignal } from './stop-signal.js';
import { exitCode, proxyUsage } from './usage.js';

/**
 * `soap-balancer proxy …`: serves SOAP clients as the service would, balancing their calls, until
 * SIGINT or SIGTERM; then drains the calls in flight and exits 0.
 * @returns the exit code.
 * @throws {UsageError} for bad arguments.
 */
export async function runProxyCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(proxyUsage.trimEnd());
    return exitCode.ok;
  }
  const command = parseProxyArgs(args, io.env);
  const stop = stopSignal();
  let proxy: SoapProxy | undefined;
  try {
    const starting = createProxy(withServersFile(command.options, command.serversFile));
    // A signal during the start is honoured once the proxy exists (the start is bounded by its timeouts).
    await Promise.race([starting, stop.received]);
    proxy = await starting;
    if (stop.signal() !== undefined) return exitCode.ok;
    proxy.on('serverDown', (event) =>
      io.err(`server ${event.server} is down (${'failure' in event ? event.failure : event.state})`),
    );
    proxy.on('serverUp', ({ server }) => io.err(`server ${server} is up`));
    proxy.on('statusError', ({ error }) => io.err(`${error.code}: ${error.message}`));
    io.out(`soap-balancer proxy listening on ${proxy.url}`);
    io.err(`${await stop.received}: draining the calls in flight, then closing`);
    return exitCode.ok;
  } catch (error: unknown) {
    io.err(`soap-balancer proxy: ${error instanceof Error ? error.message : String(error)}`);
    return exitCode.failure;
  } finally {
    stop.dispose();
    await proxy?.close();
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
