// Every process the bench starts (backends, the monitor, HAProxy, caller processes) is started here
// and killed here by PID, however the run ends: by its owner's `stop()`, after each scenario, on
// Ctrl-C, by the guard timer, at exit. A leftover backend would skew the next run and hold its port.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';

const running = new Set<ChildProcess>();
// A SIGKILLed bench runs no handler. Linux can give each child a parent-death signal (setpriv execs
// the command, so the PID stays the command's); elsewhere only caller processes notice (stdin closes).
const setpriv = process.platform === 'linux' && spawnSync('setpriv', ['--version']).status === 0;

export type Proc = ReturnType<typeof startProcess>;

export function startProcess(name: string, command: string, args: readonly string[]) {
  const argv = setpriv ? ['--pdeathsig', 'KILL', command, ...args] : args;
  const child = spawn(setpriv ? 'setpriv' : command, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', resolve).once('error', resolve));
  void exited.then(() => running.delete(child));
  // Read from the start, so that output never fills the pipe and blocks the child.
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    pid: child.pid ?? -1,
    exited,
    /** Its next stdout line; rejects if it exits first or stays silent for `timeoutMs`. */
    async nextLine(timeoutMs = 30_000): Promise<string> {
      let timer: NodeJS.Timeout | undefined;
      const silent = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${name} printed nothing in ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        const next = await Promise.race([lines.next(), silent]);
        if (next.done) throw new Error(`${name} ended (code ${child.exitCode}, ${child.signalCode})`);
        return next.value;
      } finally {
        clearTimeout(timer);
      }
    },
    send: (line: string) => child.stdin.write(`${line}\n`),
    /** SIGKILLs it by PID; resolves once it has exited. */
    stop: () => {
      kill(child);
      return exited;
    },
  };
}

/** `node --import tsx <script> ...args`. */
export function startNode(name: string, script: string, args: readonly string[] = []) {
  return startProcess(name, process.execPath, ['--import', 'tsx', script, ...args]);
}

function kill(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, 'SIGKILL');
  } catch {
    // Gone between the check and the kill: nothing left to clean up.
  }
}

/** SIGKILLs every child still running. Synchronous, so that an `exit` handler can use it. */
export function killAll(): void {
  for (const child of running) kill(child);
}

/** Bounds the whole bench in time (unref'd: it never keeps a finished run alive) and kills on the way out. */
export function installGuards(budgetMs: number): void {
  const abort = (reason: string, code: number) => {
    console.error(`\nbench aborted: ${reason}`);
    killAll();
    process.exit(code);
  };
  setTimeout(() => abort(`still running after ${Math.round(budgetMs / 1000)} s`, 1), budgetMs).unref();
  process.once('SIGINT', () => abort('interrupted (SIGINT)', 130));
  process.once('SIGTERM', () => abort('terminated (SIGTERM)', 143));
  process.once('exit', killAll);
}

let ticksPerSecond: number | undefined;

/** User plus system CPU seconds a process has used so far, from Linux's /proc (all its threads). */
export async function cpuSecondsOf(pid: number): Promise<number> {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  // Field 2, the command, is in parentheses and may hold blanks: count from after the last `)`, where
  // index 0 is field 3, so utime (field 14) and stime (15) are at 11 and 12.
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** A process's resident memory (bytes), from Linux's /proc (`VmRSS`). */
export async function rssBytesOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? Number.NaN) * 1024;
}
