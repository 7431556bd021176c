// The bench's child processes: started here and killed here by PID, whatever way the run ends.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Lines of a child's stderr passed on, so a failing child is explained without flooding the terminal. */
const maxForwardedErrorLines = 20;

export class Children {
  readonly #children = new Set<ChildProcess>();

  /** Starts `node --import tsx <args>` with stdin and stdout piped, stderr passed on with a prefix. */
  spawnTsx(name: string, args: readonly string[]): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    forwardStderr(child, name);
    return child;
  }

  /** SIGKILLs every child still running. Synchronous, so that it may run in an `exit` handler. */
  killAll(): void {
    for (const child of this.#children) {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Gone between the check and the kill: nothing left to clean up.
      }
    }
    this.#children.clear();
  }
}

function forwardStderr(child: ChildProcess, name: string): void {
  if (child.stderr === null) return;
  let forwarded = 0;
  createInterface({ input: child.stderr }).on('line', (line) => {
    forwarded++;
    if (forwarded <= maxForwardedErrorLines) process.stderr.write(`  [${name}] ${line}\n`);
    else if (forwarded === maxForwardedErrorLines + 1)
      process.stderr.write(`  [${name}] … (more not shown)\n`);
  });
}

/** Resolves with the first stdout line matching `pattern`; rejects if the child exits or is too slow. */
export function waitForLine(
  child: ChildProcess,
  name: string,
  pattern: RegExp,
  timeoutMs: number,
): Promise<RegExpExecArray> {
  const { stdout } = child;
  if (stdout === null) return Promise.reject(new Error(`${name} has no stdout`));
  const lines = createInterface({ input: stdout });
  return new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`${name} printed no ${pattern} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      finish(new Error(`${name} exited (${signal ?? `code ${code}`}) before printing ${pattern}`));
    const onLine = (line: string) => {
      const match = pattern.exec(line);
      if (match) finish(undefined, match);
    };
    const finish = (error: Error | undefined, match?: RegExpExecArray) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.off('line', onLine);
      if (error) reject(error);
      else resolve(match as RegExpExecArray);
    };
    child.once('exit', onExit);
    lines.on('line', onLine);
  });
}

/**
 * Kills `children` when the run is interrupted (SIGINT/SIGTERM), stuck past `timeoutMs` (the guard
 * timer is unref'd: it never keeps a finished run alive) or when the process exits any other way.
 * Returns the function that removes these guards once the run has cleaned up by itself.
 */
export function guardChildren(children: Children, timeoutMs: number): () => void {
  const abort = (reason: string, code: number) => {
    process.stderr.write(`\nmonitor-scale bench aborted: ${reason}\n`);
    children.killAll();
    process.exit(code);
  };
  const onSigint = () => abort('interrupted (SIGINT)', 130);
  const onSigterm = () => abort('terminated (SIGTERM)', 143);
  const onExit = () => children.killAll();
  const timer = setTimeout(() => abort(`still running after ${timeoutMs / 1000} s`, 1), timeoutMs).unref();
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigterm);
  process.once('exit', onExit);
  return () => {
    clearTimeout(timer);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    process.off('exit', onExit);
  };
}
