// Every child process the benchmark starts (replicas, the monitor, HAProxy) is registered here and
// killed by PID whatever happens: in `finally` blocks, on SIGINT/SIGTERM, at exit, and by the guard
// timer when a run hangs. A leftover replica would skew the next benchmark and keep ports busy.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const children = new Set<ChildProcess>();
const startTimeoutMs = 20_000;

function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

/** SIGKILLs every registered child that still runs. Synchronous, so that `exit` handlers can use it. */
export function killChildren(): void {
  for (const child of children) {
    if (child.pid !== undefined && isRunning(child)) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Gone between the check and the kill: nothing left to clean up.
      }
    }
  }
  children.clear();
}

/** Registers a child started elsewhere (HAProxy), so that it is killed like the others. */
export function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Starts `node --import tsx <script> ...args`, stdout piped (for its first line), stderr shown. */
export function spawnTsx(script: string, args: readonly string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  track(child);
  return child;
}

/** The child's first stdout line; rejects if it exits or stays silent for 20 s. */
export function firstLine(child: ChildProcess, name: string): Promise<string> {
  const { stdout } = child;
  if (stdout === null) return Promise.reject(new Error(`${name} has no stdout`));
  const lines = createInterface({ input: stdout });
  let timer: NodeJS.Timeout | undefined;
  let onExit: ((code: number | null) => void) | undefined;
  return new Promise<string>((resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${name} did not start within ${startTimeoutMs} ms`)),
      startTimeoutMs,
    );
    onExit = (code) => reject(new Error(`${name} exited (code ${code}) before starting`));
    lines.once('line', resolve);
    child.once('exit', onExit);
  }).finally(() => {
    // A pending timer would keep the benchmark alive for its full delay.
    clearTimeout(timer);
    if (onExit) child.off('exit', onExit);
    lines.close();
    // Later output must not fill the pipe and block the child.
    stdout.resume();
  });
}

/** SIGKILLs one child by PID and resolves once it has exited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || !isRunning(child)) {
    children.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGKILL');
  await exited;
  children.delete(child);
}

/**
 * Bounds the whole benchmark in time (an unref'd timer, so it never keeps the process alive) and
 * kills the children on the way out, however it ends.
 */
export function installGuards(budgetMs: number): void {
  const abort = (reason: string, code: number) => {
    console.error(`\nbench aborted: ${reason}`);
    killChildren();
    process.exit(code);
  };
  setTimeout(() => abort(`still running after ${Math.round(budgetMs / 1000)} s`, 1), budgetMs).unref();
  process.once('SIGINT', () => abort('interrupted (SIGINT)', 130));
  process.once('SIGTERM', () => abort('terminated (SIGTERM)', 143));
  // Last resort if the process ends some other way: `exit` handlers may only do synchronous work.
  process.once('exit', killChildren);
}
