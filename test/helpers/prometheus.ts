import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { waitFor } from './monitor.js';

/** One scrape job: its targets (`host:port`) and, optionally, the bearer token they require. */
export interface ScrapeJob {
  readonly name: string;
  readonly targets: readonly string[];
  readonly token?: string;
}

/** A running Prometheus server (Debian `prometheus`). */
export interface PrometheusServer {
  /** Runs an instant query through the HTTP API (`/api/v1/query`) and returns its vector. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Waits until every target of every job is up (Prometheus scraped it successfully). */
  targetsUp(): Promise<void>;
}

/**
 * Starts a real Prometheus on a free port with its own config and data directory, scraping `jobs`
 * every 250 ms; stopped and its directory removed when the test ends.
 */
export async function startPrometheus(t: TestContext, jobs: readonly ScrapeJob[]): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'soap-balancer-prometheus-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = [
    'global:',
    '  scrape_interval: 250ms',
    '  scrape_timeout: 200ms',
    'scrape_configs:',
    ...jobs.flatMap((job) => [
      `  - job_name: ${JSON.stringify(job.name)}`,
      ...(job.token === undefined
        ? []
        : ['    authorization:', `      credentials: ${JSON.stringify(job.token)}`]),
      '    static_configs:',
      `      - targets: ${JSON.stringify(job.targets)}`,
    ]),
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), `${config}\n`);
  const base = `http://127.0.0.1:${await freePort()}`;
  const child = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=${base.slice('http://'.length)}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );
  t.after(async () => {
    if (!exited) child.kill('SIGTERM');
    await exit;
  });
  const get = async (path: string): Promise<Response | undefined> => {
    if (exited) throw new Error(`prometheus exited:\n${output}`);
    return fetch(`${base}${path}`).catch(() => undefined);
  };
  await waitFor(async () => (await get('/-/ready'))?.ok, 'prometheus to be ready', 30_000);
  return {
    async query(promql) {
      const response = await get(`/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await response?.json()) as { status: string; data: { result: [] } } | undefined;
      if (body?.status !== 'success') throw new Error(`query ${promql} failed: ${JSON.stringify(body)}`);
      return body.data.result;
    },
    async targetsUp() {
      await waitFor(
        async () => {
          const body = (await (await get('/api/v1/targets'))?.json()) as
            | { data: { activeTargets: { health: string }[] } }
            | undefined;
          const targets = body?.data.activeTargets ?? [];
          return (
            targets.length === jobs.reduce((sum, job) => sum + job.targets.length, 0) &&
            targets.every((target) => target.health === 'up')
          );
        },
        'every scrape target to be up',
        30_000,
      );
    },
  };
}

/** A port free a moment ago (the OS does not hand it out again at once). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
