// HAProxy as the server-side baseline: `balance leastconn` with HTTP checks of the backends' load
// report path, started from a generated config in the foreground (`-db`). HAProxy is a system package,
// not an npm one: when it is missing, `haproxy` says why and scenarios skip its variants.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProcess } from '../harness/processes.js';

export interface HaproxyOptions {
  /** `retries 3` + `option redispatch`: a failed connection is retried on another server. */
  readonly redispatch?: boolean;
  /** What its health checks ask. @default the load report path */
  readonly checkPath?: string;
}

export const haproxyLabel = 'haproxy leastconn';

/** `$HAPROXY_BIN` alone if set (`HAPROXY_BIN=none` runs without HAProxy), else the usual places. */
export const haproxy = ((): { readonly bin: string } | { readonly missing: string } => {
  const explicit = process.env.HAPROXY_BIN;
  const candidates = explicit ? [explicit] : ['haproxy', '/usr/sbin/haproxy', '/usr/local/sbin/haproxy'];
  const bin = candidates.find((candidate) => spawnSync(candidate, ['-v'], { timeout: 5_000 }).status === 0);
  return bin !== undefined
    ? { bin }
    : { missing: `${explicit ?? 'haproxy'} does not run (install it, or set HAPROXY_BIN)` };
})();

/** A port that was free a moment ago: HAProxy needs a number in its config, it cannot report one. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** HAProxy in front of `servers`, once `readyPath` answers 200 through it. */
export async function startHaproxy(servers: readonly string[], readyPath: string, options: HaproxyOptions) {
  if ('missing' in haproxy) throw new Error(haproxy.missing);
  const port = await freePort();
  const lines = servers.map(
    (url, i) => `  server b${i + 1} ${new URL(url).host} check inter 250ms fall 1 rise 1`,
  );
  // Without these, HAProxy retries a refused connection 3 times on the same server and never on
  // another one; a request cut off mid-way is never retried.
  if (options.redispatch) lines.unshift('  retries 3', '  option redispatch');
  const config = `global
  maxconn 4096
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
frontend bench
  bind 127.0.0.1:${port}
  default_backend backends
backend backends
  balance leastconn
  option httpchk GET ${options.checkPath ?? '/soap-balancer/load'}
  http-reuse safe
${lines.join('\n')}
`;
  const directory = await mkdtemp(join(os.tmpdir(), 'soap-balancer-bench-'));
  await writeFile(join(directory, 'haproxy.cfg'), config);
  const proc = startProcess('haproxy', haproxy.bin, ['-f', join(directory, 'haproxy.cfg'), '-db']);
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let attempt = 1; attempt <= 100; attempt++) {
      const response = await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(1_000) }).catch(
        () => undefined,
      );
      await response?.arrayBuffer();
      if (response?.ok) return { url, proc };
      await sleep(100);
    }
    throw new Error(`haproxy did not serve ${url}${readyPath} within 10 s`);
  } catch (error) {
    await proc.stop();
    throw error;
  } finally {
    // Serving means it has read its config, and -db never reloads it: nothing to leave in /tmp.
    await rm(directory, { recursive: true, force: true });
  }
}
