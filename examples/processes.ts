// Child processes for the demo: Calculator replicas and the monitor CLI, each its own process, so that
// killing one is a real SIGKILL. Everything started here is killed by `stopAll()` (and when the demo
// exits). Each child's standard error is shown with its name in front, e.g. `[monitor] …`.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const started = new Set<ChildProcess>();
const tempDirs = new Set<string>();
process.on('exit', () => stopAll());

/**
 * Starts `node --import tsx <script> ...args` and resolves with the child and its first stdout line.
 * The child gets a process group of its own: a Ctrl-C in the terminal stops the demo, which then
 * stops its children, rather than killing them under calls still running.
 */
async function startProcess(
  label: string,
  script: string,
  args: readonly string[],
): Promise<{ child: ChildProcess; line: string }> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.add(child);
  createInterface({ input: child.stderr! }).on('line', (line) => console.log(`[${label}] ${line}`));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const line = await Promise.race([
    lines.next().then((next) => String(next.value)),
    new Promise<never>((_, reject) => child.once('exit', () => reject(new Error(`${script} exited early`)))),
  ]);
  return { child, line };
}

export interface ReplicaProcess {
  readonly name: string;
  readonly url: string;
  readonly wsdlUrl: string;
  readonly process: ChildProcess;
}

/** A Calculator replica reporting its load, `capacity` operations at once, each taking `delayMs`. */
export async function startReplica(name: string, delayMs: number, capacity: number): Promise<ReplicaProcess> {
  const { child, line } = await startProcess(name, './calculator/run-server.ts', [
    name,
    String(delayMs),
    String(capacity),
  ]);
  return { ...(JSON.parse(line) as Omit<ReplicaProcess, 'process'>), process: child };
}

/**
 * The monitor, through its CLI (`soap-balancer monitor`), watching `servers` under their names (given
 * in a servers file, so that its log and dashboard say `replica-2`); resolves with its /status URL.
 */
export async function startMonitorProcess(
  servers: readonly { readonly url: string; readonly name: string }[],
  flags: readonly string[],
): Promise<{ url: string; process: ChildProcess }> {
  const dir = mkdtempSync(join(tmpdir(), 'soap-balancer-demo-'));
  tempDirs.add(dir);
  const file = join(dir, 'servers.txt');
  writeFileSync(file, servers.map((server) => `${server.url} id=${server.name}\n`).join(''));
  const args = ['monitor', '--servers-file', file, '--port', '0', ...flags];
  const { child, line } = await startProcess('monitor', '../src/cli/main.ts', args);
  const url = /listening on (\S+)/.exec(line)?.[1];
  if (url === undefined) throw new Error(`unexpected monitor output: ${line}`);
  return { url, process: child };
}

export function stopAll(): void {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}
