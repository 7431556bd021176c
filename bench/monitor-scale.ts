// `node --import tsx bench/monitor-scale.ts [--duration-s N]`
//
// The monitor at scale: the `soap-balancer monitor` CLI, as a child process, watching 1,000 servers
// at a 1 s probe interval. The servers are one stub process answering load reports under 1,000 path
// prefixes on one port. Measures the monitor's CPU (from /proc, as a share of one core; target < 25%),
// checks that its rounds really keep up meanwhile, then how many `GET /status` answers it serves per
// second, full (200) and revalidated (304). Prints a table; writes `.bench-results/monitor-scale.json`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultLoadReportPath, parseLoadReport } from '../src/load-report/schema.js';
import { Children, guardChildren, waitForLine } from './monitor-scale/children.js';
import { formatPairs, kilobytes, whole } from './monitor-scale/format.js';
import { httpGet } from './monitor-scale/http-get.js';
import { clockTicksPerSecond, cpuTicks } from './monitor-scale/proc-cpu.js';
import { writeResultsFile } from './monitor-scale/results-file.js';
import { type RoundsResult, watchRounds } from './monitor-scale/round-watch.js';
import { loadStatus, type StatusLoadResult } from './monitor-scale/status-load.js';

const settings = {
  servers: 1000,
  intervalMs: 1000,
  timeoutMs: 1000,
  concurrency: 64,
  /** Lets the JIT and the keep-alive connections settle before anything is measured. */
  warmupS: 3,
  statusLoops: 8,
  statusSeconds: 5,
  /** The CPU target: a monitor should leave most of a core to whatever else runs beside it. */
  targetCpuShare: 0.25,
} as const;

/** The rounds check compares snapshots this far apart at least, so the CPU window must be as long. */
const minDurationS = 5;
const defaultDurationS = 10;
const childStartTimeoutMs = 30_000;
const resultsFile = fileURLToPath(new URL('../.bench-results/monitor-scale.json', import.meta.url));
const stubScript = fileURLToPath(new URL('./monitor-scale/stub-server.ts', import.meta.url));
const cliScript = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

export interface MonitorScaleReport {
  readonly settings: typeof settings & { readonly durationS: number };
  /** From starting the monitor to its `listening on` line, which it prints after its first round. */
  readonly startupMs: number;
  readonly cpu: {
    readonly clockTicksPerSecond: number;
    readonly ticks: number;
    readonly wallSeconds: number;
    /** CPU seconds per wall-clock second: 0.14 is 14% of one core. */
    readonly shareOfOneCore: number;
    readonly pass: boolean;
  };
  /** The rounds completed during the CPU window. */
  readonly rounds: RoundsResult;
  readonly status: { readonly full: StatusLoadResult; readonly conditional: StatusLoadResult };
}

/**
 * Runs the whole measurement (about 20 s plus `durationS`), writes `.bench-results/monitor-scale.json`
 * and returns the report. Every child process is killed by PID before it settles, and on SIGINT/SIGTERM.
 */
export async function runMonitorScale(options: { durationS: number }): Promise<MonitorScaleReport> {
  const { durationS } = options;
  if (!Number.isInteger(durationS) || durationS < minDurationS) {
    throw new RangeError(`Expected durationS to be an integer of at least ${minDurationS}, got ${durationS}`);
  }
  const children = new Children();
  const unguard = guardChildren(children, (durationS + 120) * 1000);
  const directory = await mkdtemp(join(tmpdir(), 'soap-balancer-monitor-scale-'));
  try {
    const stub = children.spawnTsx('stub', [stubScript, String(settings.servers)]);
    const [, port] = await waitForLine(stub, 'stub', /^\{"port":(\d+)\}$/, childStartTimeoutMs);
    const urls = Array.from({ length: settings.servers }, (_, index) => `http://127.0.0.1:${port}/s${index}`);
    await assertServesLoadReports(urls);
    const serversFile = join(directory, 'servers.txt');
    await writeFile(serversFile, `${urls.join('\n')}\n`);

    const startedAt = performance.now();
    const monitor = children.spawnTsx('monitor', [cliScript, 'monitor', ...monitorFlags(serversFile)]);
    const [, statusUrl = ''] = await waitForLine(
      monitor,
      'monitor',
      / listening on (\S+)$/,
      childStartTimeoutMs,
    );
    const startupMs = performance.now() - startedAt;
    if (monitor.pid === undefined) throw new Error('The monitor has no PID');
    progress(`monitor up after ${Math.round(startupMs)} ms; warming up ${settings.warmupS} s`);
    await sleep(settings.warmupS * 1000);

    progress(`measuring the monitor's CPU for ${durationS} s`);
    const cpu = await measureCpu(monitor.pid, statusUrl, durationS);
    progress(
      `status API: ${settings.statusLoops} loops, ${settings.statusSeconds} s full, then as much with 304s`,
    );
    const load = { loops: settings.statusLoops, durationMs: settings.statusSeconds * 1000 };
    const full = await loadStatus(statusUrl, { ...load, conditional: false });
    const conditional = await loadStatus(statusUrl, { ...load, conditional: true });

    const report: MonitorScaleReport = {
      settings: { ...settings, durationS },
      startupMs,
      cpu: cpu.cpu,
      rounds: cpu.rounds,
      status: { full, conditional },
    };
    await writeResultsFile(resultsFile, { monitorScale: report });
    return report;
  } finally {
    children.killAll();
    unguard();
    await rm(directory, { recursive: true, force: true });
  }
}

function monitorFlags(serversFile: string): string[] {
  return [
    ['--servers-file', serversFile],
    ['--port', '0'],
    ['--interval-ms', String(settings.intervalMs)],
    ['--timeout-ms', String(settings.timeoutMs)],
    ['--concurrency', String(settings.concurrency)],
  ].flat();
}

/** A stub that answered something else would have the monitor measured on its fallback path instead. */
async function assertServesLoadReports(urls: readonly string[]): Promise<void> {
  const agent = new Agent({ keepAlive: false });
  for (const url of [urls[0], urls.at(-1)]) {
    const answer = await httpGet(`${url}${defaultLoadReportPath}`, agent);
    if (answer.status !== 200 || parseLoadReport(JSON.parse(answer.body.toString('utf8'))) === undefined) {
      throw new Error(`The stub's ${url} serves no valid load report (HTTP ${answer.status})`);
    }
  }
}

/**
 * The monitor's CPU over `durationS`, with its rounds watched over the same window: the figure only
 * counts if the monitor kept up. The watcher's few requests (a 304 every 250 ms, one full snapshot
 * per round) are in the window too, as a balanced client's polls would be.
 */
async function measureCpu(pid: number, statusUrl: string, durationS: number) {
  const clock = clockTicksPerSecond();
  const watcher = watchRounds(statusUrl, settings.intervalMs);
  const ticksBefore = await cpuTicks(pid);
  const before = performance.now();
  await sleep(durationS * 1000);
  const ticks = (await cpuTicks(pid)) - ticksBefore;
  const wallSeconds = (performance.now() - before) / 1000;
  const rounds = await watcher.stop();
  const shareOfOneCore = ticks / clock / wallSeconds;
  return {
    cpu: {
      clockTicksPerSecond: clock,
      ticks,
      wallSeconds,
      shareOfOneCore,
      pass: shareOfOneCore < settings.targetCpuShare,
    },
    rounds,
  };
}

function progress(message: string): void {
  process.stderr.write(`  monitor-scale: ${message}\n`);
}

export function printMonitorScale(report: MonitorScaleReport): void {
  const { settings: used, cpu, rounds, status } = report;
  console.log(
    `\nMonitor at scale: the monitor CLI (child process) watching ${used.servers} load-reporting servers`,
  );
  console.log(
    `(one stub process, path prefixes), concurrency ${used.concurrency}, ` +
      `CPU over ${used.durationS} s after ${used.warmupS} s warm-up; /status: ` +
      `${used.statusLoops} keep-alive loops, ${used.statusSeconds} s each\n`,
  );
  const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
  const verdict = cpu.pass ? 'PASS' : 'MISS';
  const keptUp =
    `${rounds.keptUp ? 'yes' : 'no'} (${rounds.reprobed}/${rounds.servers} servers re-probed, ` +
    `${rounds.roundsPerSecond.toFixed(2)} rounds/s)`;
  const rows: [string, string][] = [
    ['servers', String(used.servers)],
    ['probe interval', `${used.intervalMs} ms`],
    [
      `monitor CPU, % of one core (target < ${percent(used.targetCpuShare)})`,
      `${percent(cpu.shareOfOneCore)}  ${verdict}`,
    ],
    ['rounds kept up', keptUp],
    ['/status answers/s (200, full body)', whole(status.full.perSecond200)],
    ['/status answers/s (304, If-None-Match)', whole(status.conditional.perSecond304)],
    ['avg 200 body size', kilobytes(status.full.avgBodyBytes200)],
  ];
  console.log(formatPairs(['measure', 'value'], rows));
  console.log('');
  console.log(
    `CPU: ${cpu.ticks} ticks at ${cpu.clockTicksPerSecond}/s over ${cpu.wallSeconds.toFixed(2)} s; ` +
      `first round and listening after ${Math.round(report.startupMs)} ms (process start included)`,
  );
  console.log(
    `rounds: ${rounds.rounds} completed in ${rounds.watchedSeconds.toFixed(2)} s ` +
      `(expected ${rounds.expectedRoundsPerSecond.toFixed(2)}/s); last probe age at the end: ` +
      `median ${Math.round(rounds.medianAgeMs)} ms, max ${Math.round(rounds.maxAgeMs)} ms`,
  );
  const { conditional } = status;
  console.log(
    `304 run: ${conditional.answers304} × 304 and ${conditional.answers200} × 200 ` +
      `(a new snapshot each round) in ${conditional.seconds.toFixed(2)} s; ` +
      `full run: ${(status.full.bytes200 / status.full.seconds / 1e6).toFixed(0)} MB/s`,
  );
}

function durationOrExit(argv: readonly string[]): number {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { 'duration-s': { type: 'string', default: String(defaultDurationS) } },
    });
    const durationS = Number(values['duration-s']);
    if (!Number.isInteger(durationS) || durationS < minDurationS) {
      throw new RangeError(
        `--duration-s expects a whole number ≥ ${minDurationS}, got \`${values['duration-s']}\``,
      );
    }
    return durationS;
  } catch (error: unknown) {
    // A usage mistake needs its message, not a stack trace.
    console.error(error instanceof Error ? error.message : String(error));
    console.error('Usage: node --import tsx bench/monitor-scale.ts [--duration-s N]');
    process.exit(2);
  }
}

// Run directly, not when a dispatcher imports runMonitorScale.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const report = await runMonitorScale({ durationS: durationOrExit(process.argv.slice(2)) });
  printMonitorScale(report);
  console.log(`\nResults written to ${resultsFile}`);
}
