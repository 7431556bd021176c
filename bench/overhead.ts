// `overhead`: what soap-balancer adds to one call, compared with plain node-soap, against ONE
// Calculator server in its own process (so the server's CPU is not counted here). Sequential calls,
// interleaved blocks of each client, alternating which goes first.
import { fileURLToPath } from 'node:url';
import { type Client, createClientAsync } from 'soap';
import { createBalancedClient } from '../src/index.js';
import { type BlockResult, type OverheadReport, printOverhead, type RoundResult } from './overhead-report.js';
import { firstLine, spawnTsx, stopProcess } from './processes.js';
import { writeResults } from './results.js';
import type { BenchSettings } from './settings.js';
import { median, percentile } from './stats.js';

const serverScript = fileURLToPath(new URL('../examples/calculator/run-server.ts', import.meta.url));

interface Variant {
  readonly name: 'plain' | 'balanced';
  readonly call: () => Promise<void>;
  readonly close: () => Promise<void>;
}

export function overheadSeconds(settings: BenchSettings): number {
  // About 0.5 ms a call on a small machine, both clients, one settling round more than asked.
  return 5 + ((settings.reps + 1) * 2 * (settings.calls + settings.warmupCalls)) / 2000;
}

/** Calls `Add(1, 2)` and checks the answer, so that a broken call can never pass for a fast one. */
function addCaller(client: Client): () => Promise<void> {
  return async () => {
    const [answer] = (await client.AddAsync({ a: 1, b: 2 })) as [{ result: unknown }];
    if (Number(answer.result) !== 3) throw new Error(`Add(1, 2) returned ${String(answer.result)}`);
  };
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

async function runRound(
  round: number,
  variants: readonly [Variant, Variant],
  settings: BenchSettings,
): Promise<RoundResult> {
  // Alternating the order cancels drift (CPU frequency, GC debt, server warm-up) between the two.
  const order = round % 2 === 0 ? variants : ([variants[1], variants[0]] as const);
  const results: Partial<Record<Variant['name'], BlockResult>> = {};
  for (const variant of order)
    results[variant.name] = await runBlock(variant, settings.calls, settings.warmupCalls);
  const { plain, balanced } = results;
  if (plain === undefined || balanced === undefined) throw new Error('a block did not run');
  return { round: round + 1, first: order[0].name, plain, balanced };
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

function summarize(settings: BenchSettings, rounds: readonly RoundResult[]): OverheadReport {
  const plain = medianBlock(rounds.map((round) => round.plain));
  const balanced = medianBlock(rounds.map((round) => round.balanced));
  const cpuDiffByRound = rounds.map((round) => round.balanced.cpuUsPerCall - round.plain.cpuUsPerCall);
  return {
    settings: { rounds: settings.reps, calls: settings.calls, warmup: settings.warmupCalls },
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

export async function runOverhead(settings: BenchSettings): Promise<void> {
  const server = spawnTsx(serverScript, ['bench-calculator', '0']);
  const variants: Variant[] = [];
  try {
    const { url, wsdlUrl } = JSON.parse(await firstLine(server, 'calculator')) as Record<string, string>;
    if (url === undefined || wsdlUrl === undefined) throw new Error('calculator printed no url');
    // Nothing to close for plain node-soap: it uses Node's global keep-alive agent.
    const plain: Variant = {
      name: 'plain',
      call: addCaller(await createClientAsync(wsdlUrl)),
      close: async () => {},
    };
    variants.push(plain);
    const client = await createBalancedClient(wsdlUrl, { servers: [url] });
    const balanced: Variant = { name: 'balanced', call: addCaller(client), close: () => client.close() };
    variants.push(balanced);
    // A first run took ~2x longer per call than later ones (JIT tiers, lazy paths in axios and node-soap),
    // which a 300-call warm-up does not cover: one discarded round brings both variants to steady state.
    await runRound(1, [plain, balanced], settings);
    process.stderr.write('  overhead: settling round (discarded) done\n');
    const rounds: RoundResult[] = [];
    for (let round = 0; round < settings.reps; round++) {
      rounds.push(await runRound(round, [plain, balanced], settings));
      process.stderr.write(`  overhead: round ${round + 1}/${settings.reps} done\n`);
    }
    const report = summarize(settings, rounds);
    printOverhead(report);
    await writeResults('overhead', { ...report });
  } finally {
    for (const variant of variants) await variant.close();
    await stopProcess(server);
  }
}
