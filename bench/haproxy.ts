// HAProxy as the server-side baseline: `balance leastconn` with HTTP checks of the replicas' load
// report path, started from a generated config as a foreground child (`-db`). HAProxy may be absent
// (it is a system package, not an npm one): `findHaproxy()` then says why, and its variants are skipped.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { stopProcess, track } from './processes.js';

export interface HaproxyOptions {
  /** `retries 3` + `option redispatch`: a failed connection is retried on another server. */
  readonly redispatch?: boolean;
}

export interface Haproxy {
  /** The frontend's base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

let found: { readonly bin: string } | { readonly missing: string } | undefined;

/** The HAProxy executable: `$HAPROXY_BIN`, else `haproxy` on PATH or in the usual sbin directories. */
export function findHaproxy(): { readonly bin: string } | { readonly missing: string } {
  found ??= locateHaproxy();
  return found;
}

function locateHaproxy(): { readonly bin: string } | { readonly missing: string } {
  // An explicit HAPROXY_BIN is the only one tried: HAPROXY_BIN=none runs without the HAProxy variants.
  const explicit = process.env.HAPROXY_BIN;
  const candidates = explicit ? [explicit] : ['haproxy', '/usr/sbin/haproxy', '/usr/local/sbin/haproxy'];
  for (const bin of candidates) {
    const result = spawnSync(bin, ['-v'], { encoding: 'utf8', timeout: 5_000 });
    if (result.error === undefined && result.status === 0) return { bin };
  }
  return {
    missing: explicit
      ? `HAPROXY_BIN=${explicit} does not run (\`${explicit} -v\` failed)`
      : 'haproxy not found on PATH nor in /usr/sbin, /usr/local/sbin (install it, or set HAPROXY_BIN)',
  };
}

/** A port that was free a moment ago: HAProxy needs a number in its config, it cannot report one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function haproxyConfig(port: number, servers: readonly string[], options: HaproxyOptions): string {
  const lines = servers.map((url, index) => {
    const { host } = new URL(url);
    return `  server b${index + 1} ${host} check inter 250ms fall 1 rise 1`;
  });
  // Without `retries`/`redispatch` this is HAProxy's default: a refused connection is retried 3 times on
  // the same server, and never on another one; a request cut off mid-way is never retried.
  const retries = options.redispatch ? ['  retries 3', '  option redispatch'] : [];
  return `global
  maxconn 4096

defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
${retries.join('\n')}

frontend bench
  bind 127.0.0.1:${port}
  default_backend replicas

backend replicas
  balance leastconn
  option httpchk GET /soap-balancer/load
  http-reuse safe
${lines.join('\n')}
`;
}

/** Starts HAProxy in front of `servers` and resolves once `readyPath` answers 200 through it. */
export async function startHaproxy(
  bin: string,
  servers: readonly string[],
  readyPath: string,
  options: HaproxyOptions = {},
): Promise<Haproxy> {
  const port = await freePort();
  const directory = await mkdtemp(join(os.tmpdir(), 'soap-balancer-bench-'));
  const configFile = join(directory, 'haproxy.cfg');
  await writeFile(configFile, haproxyConfig(port, servers, options));
  const child = spawn(bin, ['-f', configFile, '-db'], { stdio: ['ignore', 'ignore', 'inherit'] });
  track(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    await untilReady(child, `${url}${readyPath}`);
  } catch (error) {
    await stopProcess(child);
    throw error;
  } finally {
    // Serving means it has read its config, and -db never reloads it: nothing to leave in /tmp.
    await rm(directory, { recursive: true, force: true });
  }
  return { url, process: child, stop: () => stopProcess(child) };
}

async function untilReady(child: ChildProcess, url: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  let last: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`haproxy exited (code ${child.exitCode}) before serving ${url}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.ok) return;
      last = new Error(`HTTP ${response.status}`);
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`haproxy did not serve ${url} within 10 s: ${String(last)}`);
}
