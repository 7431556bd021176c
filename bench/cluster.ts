// The system under test: Work replicas (each its own process), the monitor (the real CLI, its own
// process) watching them, and optionally HAProxy in front of them. Everything is torn down by `stop()`.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { workPath } from './backend/work-wsdl.js';
import { findHaproxy, type Haproxy, type HaproxyOptions, startHaproxy } from './haproxy.js';
import { firstLine, spawnTsx, stopProcess } from './processes.js';

const backendScript = fileURLToPath(new URL('./backend/run-backend.ts', import.meta.url));
const cliScript = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

/** Probe rhythm of both health checkers, the monitor and HAProxy, so that neither sees more often. */
export const probeIntervalMs = 250;
export const wsdlPath = `${workPath}?wsdl`;

export interface Backend {
  readonly name: string;
  readonly mult: number;
  readonly url: string;
  readonly wsdlUrl: string;
  readonly process: ChildProcess;
}

export interface Cluster {
  readonly backends: readonly Backend[];
  /** The monitor's status URL (`…/status`). */
  readonly monitorUrl: string;
  /** Present when asked for and HAProxy is installed. */
  readonly haproxy: Haproxy | undefined;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** One replica per entry, with that slowness (`b1` first). */
  readonly mults: readonly number[];
  /** Start HAProxy in front of the replicas, with these options. */
  readonly haproxy?: HaproxyOptions | undefined;
}

export async function startBackend(name: string, mult: number): Promise<Backend> {
  const child = spawnTsx(backendScript, [name, String(mult)]);
  const line = await firstLine(child, `backend ${name}`);
  const { url, wsdlUrl } = JSON.parse(line) as { url: string; wsdlUrl: string };
  return { name, mult, url, wsdlUrl, process: child };
}

async function startMonitor(servers: readonly string[]): Promise<{ url: string; process: ChildProcess }> {
  const interval = String(probeIntervalMs);
  const args = ['monitor', ...servers.flatMap((url) => ['--server', url]), '--port', '0'];
  args.push('--interval-ms', interval, '--timeout-ms', interval, '--rise', '1', '--fall', '1');
  args.push('--health-path', wsdlPath);
  const child = spawnTsx(cliScript, args);
  const line = await firstLine(child, 'monitor');
  const url = /listening on (\S+)/.exec(line)?.[1];
  if (url === undefined) throw new Error(`unexpected monitor output: ${line}`);
  return { url, process: child };
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const started: ChildProcess[] = [];
  let haproxy: Haproxy | undefined;
  const stop = async () => {
    await haproxy?.stop();
    // The monitor first: killed replicas would otherwise be logged as down on the way out.
    for (const child of [...started].reverse()) await stopProcess(child);
  };
  try {
    const pending = options.mults.map((mult, index) => startBackend(`b${index + 1}`, mult));
    // Settle them all before going on, so that a failed start leaves no replica unregistered here.
    const settled = await Promise.allSettled(pending);
    const backends: Backend[] = [];
    for (const result of settled) if (result.status === 'fulfilled') backends.push(result.value);
    started.push(...backends.map((backend) => backend.process));
    for (const result of settled) if (result.status === 'rejected') throw result.reason;
    const servers = backends.map((backend) => backend.url);
    const monitor = await startMonitor(servers);
    started.push(monitor.process);
    const haproxyBin = findHaproxy();
    if (options.haproxy !== undefined && 'bin' in haproxyBin) {
      haproxy = await startHaproxy(haproxyBin.bin, servers, wsdlPath, options.haproxy);
    }
    return { backends, monitorUrl: monitor.url, haproxy, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
