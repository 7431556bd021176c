// `npm run bench [-- overhead|pick] [--rounds N] [--calls N] [--warmup N]`
//
// What soap-balancer adds to one call, compared with plain node-soap, against ONE Calculator server in
// its own process (so the server's CPU is not counted here), and what one least-busy selection costs.
// Prints tables on stdout and writes the same numbers to `.bench-results/overhead.json`.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Client, createClientAsync } from 'soap';
import { createBalancedClient, LeastBusyPolicy, type ServerView } from '../src/index.js';
import { printBalancerCpu, runBalancerCpu } from './balancer-cpu.js';

// ---------------------------------------------------------------------------------------------------
// Settings

type Suite = 'overhead' | 'cpu' | 'pick';

interface Settings {
  readonly suites: readonly Suite[];
  readonly rounds: number;
  readonly calls: number;
  readonly warmup: number;
}

const guardTimeoutMs = 5 * 60_000;
const serverStartTimeoutMs = 20_000;
const resultsFile = fileURLToPath(new URL('../.bench-results/overhead.json', import.meta.url));
const serverScript = fileURLToPath(new URL('../examples/calculator/run-server.ts', import.meta.url));

function parseSettings(argv: readonly string[]): Settings {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      rounds: { type: 'string', default: '5' },
      calls: { type: 'string', default: '2000' },
      warmup: { type: 'string', default: '300' },
    },
  });
  const suites = positionals.length === 0 ? (['overhead', 'cpu', 'pick'] as const) : positionals.map(asSuite);
  return {
    suites,
    rounds: positiveInteger('--rounds', values.rounds),
    calls: positiveInteger('--calls', values.calls),
    warmup: positiveInteger('--warmup', values.warmup),
  };
}

function asSuite(name: string): Suite {
  if (name === 'overhead' || name === 'cpu' || name === 'pick') return name;
  throw new TypeError(`Unknown benchmark \`${name}\`: expected \`overhead\`, \`cpu\` or \`pick\``);
}

function positiveInteger(option: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`Expected ${option} to be a positive integer, got \`${text}\``);
  return value;
}

// ---------------------------------------------------------------------------------------------------
// Child processes: started here, killed here, whatever happens

const children = new Set<ChildProcess>();

function killChildren(): void {
  for (const child of children) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Already gone between the check and the kill: nothing left to clean up.
      }
    }
  }
  children.clear();
}

/** A stuck run (a server that never answers, a hung socket) must not outlive the guard. */
function installGuards(): void {
  const abort = (reason: string, code: number) => {
    console.error(`\nbench aborted: ${reason}`);
    killChildren();
    process.exit(code);
  };
  setTimeout(() => abort(`still running after ${guardTimeoutMs / 1000} s`, 1), guardTimeoutMs).unref();
  process.once('SIGINT', () => abort('interrupted', 130));
  // Last resort if the process ends some other way: `exit` handlers may only do synchronous work.
  process.once('exit', killChildren);
}

interface CalculatorProcess {
  readonly url: string;
  readonly wsdlUrl: string;
  readonly process: ChildProcess;
}

async function startCalculatorProcess(name: string): Promise<CalculatorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverScript, name, '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  const line = await firstLine(child, name);
  const { url, wsdlUrl } = JSON.parse(line) as { url: string; wsdlUrl: string };
  return { url, wsdlUrl, process: child };
}

function firstLine(child: ChildProcess, name: string): Promise<string> {
  const { stdout } = child;
  if (stdout === null) return Promise.reject(new Error(`${name} has no stdout`));
  const lines = createInterface({ input: stdout });
  let timer: NodeJS.Timeout | undefined;
  return new Promise<string>((resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${name} did not start within ${serverStartTimeoutMs} ms`)),
      serverStartTimeoutMs,
    );
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${name} exited (code ${code}) before starting`)));
  }).finally(() => {
    // A pending timer would keep the process alive (and the benchmark running) for its full delay.
    clearTimeout(timer);
    lines.close();
  });
}

// ---------------------------------------------------------------------------------------------------
// Overhead: plain node-soap vs balanced client, interleaved blocks of sequential calls

interface Variant {
  readonly name: 'plain' | 'balanced';
  readonly call: () => Promise<void>;
  readonly close: () => Promise<void>;
}

interface BlockResult {
  readonly throughput: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly cpuUsPerCall: number;
}

interface RoundResult {
  readonly round: number;
  readonly first: Variant['name'];
  readonly plain: BlockResult;
  readonly balanced: BlockResult;
}

interface OverheadReport {
  readonly settings: { rounds: number; calls: number; warmup: number };
  readonly rounds: readonly RoundResult[];
  readonly median: { readonly plain: BlockResult; readonly balanced: BlockResult };
  readonly comparison: {
    /** Balanced throughput over plain throughput (medians); below 1 means the balancer costs time. */
    readonly throughputRatio: number;
    /** Balanced minus plain client CPU per call (medians): the balancer's own CPU per call. */
    readonly balancerCpuUsPerCall: number;
    /** Same difference taken within each round, to show how much it moves between rounds. */
    readonly balancerCpuUsPerCallByRound: readonly number[];
    /** Median of the per-round differences: less sensitive to a round disturbed by other processes. */
    readonly balancerCpuUsPerCallPaired: number;
    readonly p50DiffUs: number;
  };
}

/** Calls `Add(1, 2)` and checks the answer, so that a broken call can never pass for a fast one. */
function addCaller(client: Client): () => Promise<void> {
  return async () => {
    const [answer] = (await client.AddAsync({ a: 1, b: 2 })) as [{ result: unknown }];
    if (Number(answer.result) !== 3) throw new Error(`Add(1, 2) returned ${String(answer.result)}`);
  };
}

async function plainVariant(wsdlUrl: string): Promise<Variant> {
  const client = await createClientAsync(wsdlUrl);
  // Nothing to close: node-soap's default client uses Node's global keep-alive agent.
  return { name: 'plain', call: addCaller(client), close: async () => {} };
}

async function balancedVariant(wsdlUrl: string, url: string): Promise<Variant> {
  const client = await createBalancedClient(wsdlUrl, { servers: [url] });
  return { name: 'balanced', call: addCaller(client), close: () => client.close() };
}

async function runBlock(variant: Variant, calls: number, warmup: number): Promise<BlockResult> {
  // Warm each block: the other variant just ran, so its JIT state and sockets were the hot ones.
  for (let i = 0; i < warmup; i++) await variant.call();
  const latenciesNs = new Float64Array(calls);
  const cpuBefore = process.cpuUsage();
  const blockStart = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    await variant.call();
    latenciesNs[i] = Number(process.hrtime.bigint() - start);
  }
  const blockNs = Number(process.hrtime.bigint() - blockStart);
  const cpu = process.cpuUsage(cpuBefore);
  latenciesNs.sort();
  return {
    throughput: calls / (blockNs / 1e9),
    p50Us: percentile(latenciesNs, 0.5) / 1000,
    p99Us: percentile(latenciesNs, 0.99) / 1000,
    cpuUsPerCall: (cpu.user + cpu.system) / calls,
  };
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

async function runRound(
  round: number,
  plain: Variant,
  balanced: Variant,
  settings: Settings,
): Promise<RoundResult> {
  // Alternating the order cancels drift (CPU frequency, GC debt, server warm-up) between the two.
  const order = round % 2 === 0 ? [plain, balanced] : [balanced, plain];
  const results = new Map<Variant['name'], BlockResult>();
  for (const variant of order) {
    results.set(variant.name, await runBlock(variant, settings.calls, settings.warmup));
  }
  return {
    round: round + 1,
    first: order[0]?.name ?? 'plain',
    plain: resultOf(results, 'plain'),
    balanced: resultOf(results, 'balanced'),
  };
}

function resultOf(results: ReadonlyMap<Variant['name'], BlockResult>, name: Variant['name']): BlockResult {
  const result = results.get(name);
  if (result === undefined) throw new Error(`No result for ${name}`);
  return result;
}

async function runOverhead(settings: Settings): Promise<OverheadReport> {
  const server = await startCalculatorProcess('bench-calculator');
  const variants: Variant[] = [];
  try {
    const plain = await plainVariant(server.wsdlUrl);
    variants.push(plain);
    const balanced = await balancedVariant(server.wsdlUrl, server.url);
    variants.push(balanced);
    // A first run took ~2x longer per call than later ones (JIT tiers, lazy paths in axios and node-soap),
    // which a 300-call warm-up does not cover: one discarded round brings both variants to steady state.
    await runRound(1, plain, balanced, settings); // its order does not matter: nothing is kept
    process.stderr.write('  overhead: settling round (discarded) done\n');
    const rounds: RoundResult[] = [];
    for (let round = 0; round < settings.rounds; round++) {
      rounds.push(await runRound(round, plain, balanced, settings));
      process.stderr.write(`  overhead: round ${round + 1}/${settings.rounds} done\n`);
    }
    return summarizeOverhead(settings, rounds);
  } finally {
    for (const variant of variants) await variant.close();
    await stopProcess(server.process);
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGKILL');
  await exited;
  children.delete(child);
}

function summarizeOverhead(settings: Settings, rounds: readonly RoundResult[]): OverheadReport {
  const plain = medianBlock(rounds.map((round) => round.plain));
  const balanced = medianBlock(rounds.map((round) => round.balanced));
  const cpuDiffByRound = rounds.map((round) => round.balanced.cpuUsPerCall - round.plain.cpuUsPerCall);
  return {
    settings: { rounds: settings.rounds, calls: settings.calls, warmup: settings.warmup },
    rounds,
    median: { plain, balanced },
    comparison: {
      throughputRatio: balanced.throughput / plain.throughput,
      balancerCpuUsPerCall: balanced.cpuUsPerCall - plain.cpuUsPerCall,
      balancerCpuUsPerCallByRound: cpuDiffByRound,
      balancerCpuUsPerCallPaired: median(cpuDiffByRound),
      p50DiffUs: balanced.p50Us - plain.p50Us,
    },
  };
}

/** Each metric's median over the rounds, taken independently. */
function medianBlock(blocks: readonly BlockResult[]): BlockResult {
  return {
    throughput: median(blocks.map((block) => block.throughput)),
    p50Us: median(blocks.map((block) => block.p50Us)),
    p99Us: median(blocks.map((block) => block.p99Us)),
    cpuUsPerCall: median(blocks.map((block) => block.cpuUsPerCall)),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

// ---------------------------------------------------------------------------------------------------
// Pick: one LeastBusyPolicy selection over a pool of plain objects

interface PickResult {
  readonly servers: number;
  readonly picks: number;
  readonly nsPerPick: number;
  readonly nsPerPickByRepetition: readonly number[];
}

const pickRepetitions = 5;
// About the same servers visited per repetition at every size, so each takes a similar ~10-50 ms.
const pickPlan = [
  { servers: 10, picks: 1_000_000 },
  { servers: 100, picks: 100_000 },
  { servers: 1000, picks: 10_000 },
] as const;

/** Keeps the picks observable, so the JIT cannot drop the loop as dead code. */
let pickSink = 0;

function randomPool(size: number): ServerView[] {
  // Seeded, so that every run times the same pools: how many servers tie changes the cost of a pick.
  const random = seededRandom(size);
  // Small in-flight counts, as in real pools: ties are common, which exercises the tie-breaking path.
  return Array.from({ length: size }, (_, index) => {
    const inFlight = Math.floor(random() * 8);
    return { url: `http://10.0.${Math.floor(index / 250)}.${index % 250}:8000`, inFlight, cost: inFlight };
  });
}

/** mulberry32: a tiny, good-enough PRNG in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function timePicks(policy: LeastBusyPolicy, pool: readonly ServerView[], picks: number): number {
  const anyServer = () => true;
  const start = process.hrtime.bigint();
  for (let i = 0; i < picks; i++) pickSink += policy.pick(pool, anyServer)?.inFlight ?? 0;
  return Number(process.hrtime.bigint() - start) / picks;
}

function runPick(): PickResult[] {
  const policy = new LeastBusyPolicy();
  return pickPlan.map(({ servers, picks }) => {
    const pool = randomPool(servers);
    timePicks(policy, pool, picks); // warm-up: let the JIT optimize pick() for this pool's shape
    const byRepetition = Array.from({ length: pickRepetitions }, () => timePicks(policy, pool, picks));
    return { servers, picks, nsPerPick: median(byRepetition), nsPerPickByRepetition: byRepetition };
  });
}

// ---------------------------------------------------------------------------------------------------
// Output

type Cell = string | number;

/** Plain-text table: first column left-aligned, the others right-aligned. */
function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...text.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(headers), rule, ...text.slice(1).map(line)].join('\n');
}

function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

function blockCells(label: string, block: BlockResult): Cell[] {
  return [
    label,
    fixed(block.throughput, 0),
    fixed(block.p50Us, 1),
    fixed(block.p99Us, 1),
    fixed(block.cpuUsPerCall, 1),
  ];
}

const blockHeaders = ['variant', 'calls/s', 'p50 µs', 'p99 µs', 'CPU µs/call'];

function printOverhead(report: OverheadReport): void {
  const { rounds, calls, warmup } = report.settings;
  console.log(
    `\nOverhead per call: Add(1, 2), ${calls} sequential calls per block (after ${warmup} warm-up),`,
  );
  console.log(`${rounds} rounds, one Calculator server in a child process, client CPU only\n`);
  const roundRows = report.rounds.flatMap((round) => [
    blockCells(`round ${round.round} plain${round.first === 'plain' ? ' (1st)' : ''}`, round.plain),
    blockCells(`round ${round.round} balanced${round.first === 'balanced' ? ' (1st)' : ''}`, round.balanced),
  ]);
  console.log(formatTable(blockHeaders, roundRows));
  console.log('\nMedians over rounds\n');
  const { plain, balanced } = report.median;
  console.log(formatTable(blockHeaders, [blockCells('plain', plain), blockCells('balanced', balanced)]));
  const { comparison } = report;
  const byRound = comparison.balancerCpuUsPerCallByRound.map((value) => fixed(value, 1)).join(', ');
  console.log('');
  console.log(`throughput balanced/plain:           ${fixed(comparison.throughputRatio, 3)}`);
  console.log(`balancer's own CPU per call:         ${fixed(comparison.balancerCpuUsPerCall, 1)} µs`);
  console.log(`  same, per round (balanced-plain):  ${byRound} µs`);
  console.log(`  median of the per-round values:    ${fixed(comparison.balancerCpuUsPerCallPaired, 1)} µs`);
  console.log(`p50 latency added:                   ${fixed(comparison.p50DiffUs, 1)} µs`);
}

function printPick(results: readonly PickResult[]): void {
  console.log(`\nLeastBusyPolicy.pick(), all eligible, random inFlight 0-7 (median of ${pickRepetitions})\n`);
  const rows = results.map((result) => [
    String(result.servers),
    result.picks,
    fixed(result.nsPerPick, 1),
    fixed(result.nsPerPick / result.servers, 2),
  ]);
  console.log(formatTable(['servers', 'picks', 'ns/pick', 'ns/server'], rows));
}

async function writeResults(results: Record<string, unknown>): Promise<void> {
  await mkdir(dirname(resultsFile), { recursive: true });
  const environment = {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
  };
  const document = { date: new Date().toISOString(), environment, ...results };
  await writeFile(resultsFile, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`\nResults written to ${resultsFile}`);
}

// ---------------------------------------------------------------------------------------------------

async function main(settings: Settings): Promise<void> {
  installGuards();
  const results: Record<string, unknown> = {};
  try {
    if (settings.suites.includes('overhead')) {
      const report = await runOverhead(settings);
      printOverhead(report);
      results.overhead = report;
    }
    if (settings.suites.includes('cpu')) {
      const report = await runBalancerCpu(10 * settings.calls, settings.rounds);
      printBalancerCpu(report);
      results.cpu = report;
    }
    if (settings.suites.includes('pick')) {
      const report = runPick();
      printPick(report);
      results.pick = report;
    }
  } finally {
    killChildren();
  }
  await writeResults(results);
  if (pickSink < 0) console.log(pickSink); // never true; reading it is what keeps the picks alive
}

function settingsOrExit(): Settings {
  try {
    return parseSettings(process.argv.slice(2));
  } catch (error: unknown) {
    // A usage mistake needs its message, not a stack trace.
    console.error(error instanceof Error ? error.message : String(error));
    console.error('Usage: npm run bench [-- overhead|pick] [--rounds N] [--calls N] [--warmup N]');
    process.exit(2);
  }
}

await main(settingsOrExit());
