// The system under test: Work backends (each its own process), the monitor (the real CLI, its own
// process) watching them, and HAProxy in front of them when asked for and installed. `stop()` ends all.
import { fileURLToPath } from 'node:url';
import { workPath } from '../backend/work-wsdl.js';
import { type Proc, startNode } from '../harness/processes.js';
import { type HaproxyOptions, haproxy, startHaproxy } from './haproxy.js';

const backendScript = fileURLToPath(new URL('../backend/work-server.ts', import.meta.url));
const cliScript = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
export const wsdlPath = `${workPath}?wsdl`;

export interface Backend {
  /** `b1`, `b2`, …: what each call's answer names as the server that did the work. */
  readonly name: string;
  /** How much slower than asked each call is: `Work(50)` takes `50 × mult` ms in its slot. */
  readonly mult: number;
  readonly url: string;
  readonly wsdlUrl: string;
  readonly proc: Proc;
}

export interface Cluster {
  readonly backends: readonly Backend[];
  /** The monitor's status URL (`…/status`). */
  readonly monitorUrl: string;
  /** HAProxy's base URL; undefined unless asked for and installed. */
  readonly haproxyUrl: string | undefined;
  stop(): Promise<void>;
}

/** The monitor CLI with these flags; resolves once it has done its first round and serves /status. */
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

/** One backend per entry of `mults`; the monitor and HAProxy probe every 250 ms, so neither sees sooner. */
export async function startCluster(
  mults: readonly number[],
  haproxyOptions?: HaproxyOptions,
): Promise<Cluster> {
  const procs: Proc[] = [];
  // The monitor first: backends that go away before it would be logged as down.
  const stop = async () => {
    for (const proc of procs.reverse()) await proc.stop();
  };
  try {
    const backends = await Promise.all(
      mults.map(async (mult, index): Promise<Backend> => {
        const name = `b${index + 1}`;
        const proc = startNode(name, backendScript, [name, String(mult)]);
        procs.push(proc);
        return {
          name,
          mult,
          proc,
          ...(JSON.parse(await proc.nextLine()) as { url: string; wsdlUrl: string }),
        };
      }),
    );
    const servers = backends.map((backend) => backend.url);
    const probe = ['--interval-ms', '250', '--timeout-ms', '250', '--rise', '1', '--fall', '1'];
    const monitor = await startMonitor([
      ...servers.flatMap((url) => ['--server', url]),
      ...probe,
      '--health-path',
      wsdlPath,
    ]);
    procs.push(monitor.proc);
    let haproxyUrl: string | undefined;
    if (haproxyOptions !== undefined && 'bin' in haproxy) {
      const started = await startHaproxy(haproxy.bin, servers, wsdlPath, haproxyOptions);
      procs.push(started.proc);
      haproxyUrl = started.url;
    }
    return { backends, monitorUrl: monitor.url, haproxyUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
