// The system under test: Calculator backends (the example server, each its own process, 4 slots,
// further calls queue FIFO, reporting its load), the monitor (the real CLI, its own process) watching
// them, and HAProxy in front of them when asked for and installed. `stop()` ends them all.
import { fileURLToPath } from 'node:url';
import { calculatorPath } from '../../examples/calculator/server.js';
import { type Proc, startNode } from '../harness/processes.js';
import { type HaproxyOptions, haproxy, startHaproxy } from './haproxy.js';

const backendScript = fileURLToPath(new URL('../../examples/calculator/run-server.ts', import.meta.url));
const cliScript = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const wsdlPath = `${calculatorPath}?wsdl`;

export interface Backend {
  /** `b1`, `b2`, …: what each answer names as the server that did the work. */
  readonly name: string;
  readonly url: string;
  readonly wsdlUrl: string;
  readonly proc: Proc;
}

/** The monitor CLI with these flags, once it has done its first round and serves /status. */
export async function startMonitor(flags: readonly string[]): Promise<{ url: string; proc: Proc }> {
  const proc = startNode('monitor', cliScript, ['monitor', '--port', '0', ...flags]);
  try {
    for (;;) {
      const url = / listening on (\S+)$/.exec(await proc.nextLine())?.[1];
      if (url !== undefined) return { url, proc };
    }
  } catch (error) {
    await proc.stop();
    throw error;
  }
}

/**
 * One backend per entry of `mults`, `b1` first: each call takes 50 ms × mult in its slot. Without
 * `reporters`, the backends report no load and the monitor measures probe latency instead.
 */
export async function startCluster(
  mults: readonly number[],
  haproxyOptions?: HaproxyOptions,
  { reporters = true } = {},
) {
  const procs: Proc[] = [];
  // The monitor first: backends that went away before it would be logged as down.
  const stop = async () => {
    for (const proc of procs.reverse()) await proc.stop();
  };
  try {
    const backends = await Promise.all(
      mults.map(async (mult, index): Promise<Backend> => {
        const name = `b${index + 1}`;
        const report = reporters ? [] : ['no-report'];
        const proc = startNode(name, backendScript, [name, String(50 * mult), '4', ...report]);
        procs.push(proc);
        return { name, proc, ...(JSON.parse(await proc.nextLine()) as { url: string; wsdlUrl: string }) };
      }),
    );
    const servers = backends.map((backend) => backend.url);
    // The monitor and HAProxy both probe every 250 ms: neither sees a change sooner.
    const probe = ['--interval-ms', '250', '--timeout-ms', '250', '--rise', '1', '--fall', '1'];
    const monitor = await startMonitor([
      ...servers.flatMap((url) => ['--server', url]),
      ...[...probe, '--health-path', wsdlPath],
      ...(reporters ? [] : ['--no-load-path']),
    ]);
    procs.push(monitor.proc);
    let haproxyUrl: string | undefined;
    if (haproxyOptions !== undefined && 'bin' in haproxy) {
      const checkPath = reporters ? {} : { checkPath: wsdlPath };
      const started = await startHaproxy(servers, wsdlPath, { ...haproxyOptions, ...checkPath });
      procs.push(started.proc);
      haproxyUrl = started.url;
    }
    return { backends, monitorUrl: monitor.url, haproxyUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
