// `monitor-scale`: the monitor CLI, as a child process, watching 1,000 load-reporting servers (one stub
// process, path prefixes) at a 1 s interval. Its CPU from /proc, as a share of one core (target < 25%),
// valid only if its rounds keep up meanwhile; then how many `GET /status` answers it serves per second,
// full (200) and revalidated (304), to closed loops of keep-alive requests.
import { rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseStatusSnapshot } from '../../src/index.js';
import { cpuSecondsOf, startNode } from '../harness/processes.js';
import { writeResults } from '../harness/results.js';
import type { Scenario } from '../harness/scenario.js';
import type { BenchSettings } from '../harness/settings.js';
import { fixed, formatTable, heading } from '../harness/table.js';
import { checkBound, printTargets } from '../harness/targets.js';
import { startMonitor } from '../load/cluster.js';
import { nowMs, runClosedLoop, summarize } from '../load/loop.js';

const servers = 1000;
const intervalMs = 1000;
const stubScript = fileURLToPath(new URL('./monitor-scale-stub.ts', import.meta.url));
/** Whole seconds of CPU window, at least 5: time for several rounds. */
const windowS = (s: BenchSettings) => Math.max(5, Math.ceil(s.durationS));

export const monitorScale: Scenario = {
  name: 'monitor-scale',
  seconds: (s) => 30 + windowS(s),
  run: runMonitorScale,
};

/**
 * One GET, its whole body read (an answer counts only once it has fully arrived). Plain node:http, so
 * that the client's own cost stays small beside the monitor's on a shared machine.
 */
function httpGet(url: string, agent: Agent, etag?: string) {
  return new Promise<{ status: number; etag: string | undefined; body: Buffer }>((resolve, reject) => {
    const headers = etag === undefined ? {} : { 'if-none-match': etag };
    request(url, { agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk)).once('error', reject);
      response.once('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          etag: response.headers.etag,
          body: Buffer.concat(chunks),
        }),
      );
    })
      .once('error', reject)
      .end();
  });
}

/**
 * Once a second until `untilMs`, how long ago the least recently probed server was probed: a monitor
 * that keeps up has probed every server within the last few intervals. Also whether it took each
 * server's load from its report (a stub whose reports it rejected would measure its fallback instead).
 */
async function watchProbes(statusUrl: string, untilMs: number) {
  const agent = new Agent({ keepAlive: true });
  const oldestMs: number[] = [];
  let reporting = 0;
  while (nowMs() < untilMs) {
    const snapshot = parseStatusSnapshot(JSON.parse((await httpGet(statusUrl, agent)).body.toString()));
    const checked = snapshot.servers.map((server) => Date.parse(server.lastCheckedAt ?? '') || 0);
    oldestMs.push(Date.now() - Math.min(...checked));
    reporting = snapshot.servers.filter((server) => server.loadSource === 'report').length;
    await sleep(1000);
  }
  agent.destroy();
  return { oldestMs: Math.max(...oldestMs), reporting };
}

/** `GET /status` answers per second to 8 closed loops for 5 s; `conditional`: with the latest ETag. */
async function statusLoad(statusUrl: string, conditional: boolean) {
  const agent = new Agent({ keepAlive: true });
  let etag = conditional ? (await httpGet(statusUrl, agent)).etag : undefined;
  let bytes = 0;
  const call = async () => {
    const answer = await httpGet(statusUrl, agent, etag);
    if (answer.status !== 200 && answer.status !== 304) throw new Error(`HTTP ${answer.status}`);
    // A new snapshot each round: each 200 brings the tag that every loop then sends, as polling clients do.
    if (answer.status === 200 && conditional) etag = answer.etag;
    bytes += answer.body.length;
    return String(answer.status);
  };
  const stats = summarize(
    await runClosedLoop(call, { concurrency: 8, startAt: nowMs(), durationMs: 5000 }),
    5000,
  );
  agent.destroy();
  const answers = (status: string) => stats.byAnswer[status] ?? 0;
  return {
    perSecond200: answers('200') / 5,
    perSecond304: answers('304') / 5,
    bytes200: bytes / answers('200'),
  };
}

async function runMonitorScale(settings: BenchSettings) {
  console.log(
    heading(`monitor-scale: the monitor CLI watching ${servers} servers, ${intervalMs} ms interval`),
  );
  const stub = startNode('load stub', stubScript, [String(servers)]);
  const serversFile = join(tmpdir(), `soap-balancer-monitor-scale-${process.pid}.txt`);
  try {
    const port = await stub.nextLine();
    await writeFile(
      serversFile,
      Array.from({ length: servers }, (_, i) => `http://127.0.0.1:${port}/s${i}\n`),
    );
    const started = nowMs();
    const flags = ['--servers-file', serversFile, '--interval-ms', '1000', '--timeout-ms', '1000'];
    const monitor = await startMonitor([...flags, '--concurrency', '64']);
    try {
      // The monitor serves once its first round is done.
      const startupMs = nowMs() - started;
      process.stderr.write(`  monitor-scale: first round after ${fixed(startupMs, 0)} ms; 3 s warm-up\n`);
      await sleep(3000);
      const cpuBefore = await cpuSecondsOf(monitor.proc.pid);
      const wallBefore = nowMs();
      // The watcher's requests are in the CPU window, as a balanced client's polls would be.
      const probes = await watchProbes(monitor.url, wallBefore + windowS(settings) * 1000);
      const cpuPercent =
        (100 * ((await cpuSecondsOf(monitor.proc.pid)) - cpuBefore)) / ((nowMs() - wallBefore) / 1000);
      const keptUp = probes.oldestMs <= 3 * intervalMs && probes.reporting === servers;
      const full = await statusLoad(monitor.url, false);
      const conditional = await statusLoad(monitor.url, true);
      const rows = [
        [`monitor CPU over ${windowS(settings)} s, % of one core`, fixed(cpuPercent, 1)],
        ['oldest probe seen, ms (rounds keep up: <= 3 intervals)', fixed(probes.oldestMs, 0)],
        ['servers whose load came from their report', probes.reporting],
        ['/status answers/s, 200 (full body)', fixed(full.perSecond200, 0)],
        ['/status answers/s, 304 (If-None-Match)', fixed(conditional.perSecond304, 0)],
        ['/status body, kB', fixed(full.bytes200 / 1000, 1)],
      ];
      console.log(`\n${formatTable(['measure', 'value'], rows)}`);
      const check = checkBound('monitor CPU at 1,000 servers < 25% of one core', cpuPercent, '<=', 25, '%');
      const checks = [
        keptUp
          ? check
          : { ...check, verdict: 'MISS' as const, note: 'rounds fell behind, or reports rejected' },
      ];
      printTargets(checks);
      const results = { servers, intervalMs, startupMs, cpuPercent, probes, status: { full, conditional } };
      await writeResults('monitor-scale', results);
      return checks;
    } finally {
      await monitor.proc.stop();
    }
  } finally {
    await stub.stop();
    await rm(serversFile, { force: true });
  }
}
