// `monitor-scale`: the monitor CLI, as a child process, watching 1,000 load-reporting servers (one stub
// process, path prefixes) at a 1 s interval. Its CPU from /proc, as a share of one core (target < 25%),
// counted only if its rounds keep up meanwhile; then how many `GET /status` answers it serves per
// second, full (200) and revalidated (304).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { cpuSecondsOf, startNode } from '../harness/processes.js';
import { writeResults } from '../harness/results.js';
import type { Scenario } from '../harness/scenario.js';
import type { BenchSettings } from '../harness/settings.js';
import { fixed, formatTable, heading } from '../harness/table.js';
import { checkBound, printTargets, type TargetCheck } from '../harness/targets.js';
import { startMonitor } from '../load/cluster.js';
import { loadStatus, watchRounds } from './monitor-status.js';

const servers = 1000;
const intervalMs = 1000;
/** Lets the JIT and the keep-alive connections settle before anything is measured. */
const warmupS = 3;
const statusLoops = 8;
const statusS = 5;
const stubScript = fileURLToPath(new URL('../backend/load-stub.ts', import.meta.url));
/** The rounds check needs snapshots a few rounds apart: at least 5 s of CPU window. */
const durationS = (s: BenchSettings) => Math.max(5, Math.ceil(s.durationS));

export const monitorScale: Scenario = {
  name: 'monitor-scale',
  seconds: (s) => 30 + durationS(s),
  run: runMonitorScale,
};

async function runMonitorScale(settings: BenchSettings): Promise<TargetCheck[]> {
  console.log(
    heading(`monitor-scale: the monitor CLI watching ${servers} servers at a ${intervalMs} ms interval`),
  );
  const directory = await mkdtemp(join(tmpdir(), 'soap-balancer-monitor-scale-'));
  const stub = startNode('load stub', stubScript, [String(servers)]);
  try {
    const port = await stub.nextLine();
    const serversFile = join(directory, 'servers.txt');
    await writeFile(
      serversFile,
      Array.from({ length: servers }, (_, index) => `http://127.0.0.1:${port}/s${index}\n`),
    );
    const started = performance.now();
    const flags = [
      '--servers-file',
      serversFile,
      '--interval-ms',
      String(intervalMs),
      '--timeout-ms',
      String(intervalMs),
    ];
    const monitor = await startMonitor([...flags, '--concurrency', '64']);
    try {
      // It prints its URL after its first round.
      const startupMs = performance.now() - started;
      process.stderr.write(
        `  monitor-scale: first round after ${fixed(startupMs, 0)} ms; warming up ${warmupS} s\n`,
      );
      await sleep(warmupS * 1000);
      // The watcher's few requests are in the CPU window too, as a balanced client's polls would be.
      const watcher = watchRounds(monitor.url, intervalMs);
      const cpuBefore = await cpuSecondsOf(monitor.proc.pid);
      const wallBefore = performance.now();
      await sleep(durationS(settings) * 1000);
      const cpuShare =
        ((await cpuSecondsOf(monitor.proc.pid)) - cpuBefore) / ((performance.now() - wallBefore) / 1000);
      const rounds = await watcher.stop();
      process.stderr.write(
        `  monitor-scale: /status, ${statusLoops} loops, ${statusS} s full, then as long with 304s\n`,
      );
      const full = await loadStatus(monitor.url, statusLoops, statusS * 1000, false);
      const conditional = await loadStatus(monitor.url, statusLoops, statusS * 1000, true);
      const valid = rounds.keptUp && rounds.reporting === servers;
      const keptUp = `${rounds.keptUp ? 'yes' : 'NO'}: ${rounds.reprobed}/${rounds.servers} re-probed, ${fixed(rounds.roundsPerSecond, 2)} rounds/s, oldest probe ${fixed(rounds.oldestMs, 0)} ms`;
      const rows = [
        [`monitor CPU over ${durationS(settings)} s, % of one core`, fixed(100 * cpuShare, 1)],
        ['rounds kept up', keptUp],
        ['load from reports', `${rounds.reporting}/${rounds.servers} servers`],
        ['/status answers/s, 200 (full body)', fixed(full.answers200 / full.seconds, 0)],
        ['/status answers/s, 304 (If-None-Match)', fixed(conditional.answers304 / conditional.seconds, 0)],
        ['/status body, kB', fixed(full.bytes200 / full.answers200 / 1000, 1)],
      ];
      console.log(`\n${formatTable(['measure', 'value'], rows)}`);
      const note = valid ? '%' : 'does not count: rounds fell behind or load not from reports';
      const check = checkBound(
        'monitor CPU at 1,000 servers < 25% of one core',
        100 * cpuShare,
        '<=',
        25,
        note,
      );
      const checks = [valid ? check : { ...check, verdict: 'MISS' as const }];
      printTargets(checks);
      await writeResults('monitor-scale', {
        servers,
        intervalMs,
        durationS: durationS(settings),
        startupMs,
        cpuShare,
        rounds,
        status: { full, conditional },
      });
      return checks;
    } finally {
      await monitor.proc.stop();
    }
  } finally {
    await stub.stop();
    await rm(directory, { recursive: true, force: true });
  }
}
