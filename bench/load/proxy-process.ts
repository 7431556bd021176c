// The proxy CLI as shipped (dist/, built by `buildProxy`), its own process, for the proxy scenarios.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Proc, startProcess } from '../harness/processes.js';
import type { Backend } from './cluster.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const builtCli = `${root}dist/cli/main.js`;

/** Builds dist/: the proxy runs as shipped (tsx's loader alone costs it ~40% more CPU per call). */
export function buildProxy(): void {
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
}

/** The proxy CLI over `backends` (and `flags`), once it listens. */
export async function startProxyProcess(
  backends: readonly Backend[],
  flags: readonly string[] = [],
): Promise<{ url: string; proc: Proc }> {
  const servers = backends.flatMap((backend) => ['--server', backend.url]);
  const proc = startProcess('proxy', process.execPath, [
    builtCli,
    'proxy',
    '--port',
    '0',
    ...servers,
    ...flags,
  ]);
  try {
    const url = / listening on (\S+)$/.exec(await proc.nextLine())?.[1];
    if (url === undefined) throw new Error('the proxy printed no URL');
    return { url, proc };
  } catch (error) {
    await proc.stop();
    throw error;
  }
}
