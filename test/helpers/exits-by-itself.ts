import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

/**
 * Runs `node --import tsx ...args` and asserts it exits by itself with code 0: nothing it left behind
 * (timer, socket, pending work) kept it alive. Returns what it printed, stdout and stderr together.
 */
export async function assertExitsByItself(args: readonly string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  // A guard, not a measurement: a process that has not exited after this long is hung.
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.on('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  clearTimeout(guard);
  assert.equal(signal, null, `the process had to be killed: it did not exit by itself\n${output}`);
  assert.equal(code, 0, output);
  return output;
}
