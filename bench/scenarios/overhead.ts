// `overhead`: what soap-balancer adds to one call, compared with plain node-soap, against ONE
// Calculator server in its own process (so that the server's CPU is not counted). Sequential calls,
// in interleaved blocks of each client, alternating which goes first. `cpu` does the same without a
// network (cpu.ts).
import { fileURLToPath } from 'node:url';
import { type Client, createClientAsync } from 'soap';
import { createBalancedClient } from '../../src/index.js';
import { startNode } from '../harness/processes.js';
import { writeResults } from '../harness/results.js';
import type { Scenario } from '../harness/scenario.js';
import type { BenchSettings } from '../harness/settings.js';
import { median, percentile } from '../harness/stats.js';
import { fixed, formatTable, heading } from '../harness/table.js';
import { checkBound } from '../harness/targets.js';

const serverScript = fileURLToPath(new URL('../../examples/calculator/run-server.ts', import.meta.url));

interface Block {
  readonly throughput: number;
  readonly p50Us: number;
  readonly p99Us: number;
  /** This process's CPU (client side only) per call. */
  readonly cpuUs: number;
}

/** `Add(1, 2)`, its answer checked, so that a broken call can never pass for a fast one. */
export function addCall(client: Client): () => Promise<void> {
  return async () => {
    const [answer] = (await client.AddAsync({ a: 1, b: 2 })) as [{ result: unknown }];
    if (Number(answer.result) !== 3) throw new Error(`Add(1, 2) returned ${String(answer.result)}`);
  };
}

async function runBlock(call: () => Promise<void>, calls: number, warmupCalls: number): Promise<Block> {
  // The other client just ran: its JIT state and sockets were the hot ones.
  for (let i = 0; i < warmupCalls; i++) await call();
  const latenciesNs = new Float64Array(calls);
  const cpuBefore = process.cpuUsage();
  const blockStart = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    await call();
    latenciesNs[i] = Number(process.hrtime.bigint() - start);
  }
  const blockNs = Number(process.hrtime.bigint() - blockStart);
  const cpu = process.cpuUsage(cpuBefore);
  latenciesNs.sort();
  return {
    throughput: calls / (blockNs / 1e9),
    p50Us: percentile(latenciesNs, 0.5) / 1000,
    p99Us: percentile(latenciesNs, 0.99) / 1000,
    cpuUs: (cpu.user + cpu.system) / calls,
  };
}

/**
 * `settings.reps` rounds of one block per client, alternating which goes first (cancelling drift:
 * CPU frequency, GC debt, warming) after one discarded round: a first run takes about twice as long per
 * call (JIT tiers, lazy paths in axios and node-soap), more than a warm-up of a few hundred calls covers.
 * Prints and writes the medians and the balancer's own CPU: the median of the per-round differences.
 */
export async function comparePlainBalanced(
  name: string,
  plain: () => Promise<void>,
  balanced: () => Promise<void>,
  settings: { readonly reps: number; readonly calls: number; readonly warmupCalls: number },
): Promise<{ throughputRatio: number; p50AddedUs: number; balancerCpuUsPerCall: number }> {
  const { reps, calls, warmupCalls } = settings;
  const rounds: { round: number; plain: Block; balanced: Block }[] = [];
  for (let round = 0; round <= reps; round++) {
    const first = round % 2 === 0 ? plain : balanced;
    const a = await runBlock(first, calls, warmupCalls);
    const b = await runBlock(first === plain ? balanced : plain, calls, warmupCalls);
    if (round > 0)
      rounds.push({ round, ...(first === plain ? { plain: a, balanced: b } : { plain: b, balanced: a }) });
    process.stderr.write(
      `  ${name}: round ${round}/${reps} done${round === 0 ? ' (settling, discarded)' : ''}\n`,
    );
  }
  const medianOf = (pick: (round: (typeof rounds)[number]) => Block): Block => ({
    throughput: median(rounds.map((round) => pick(round).throughput)),
    p50Us: median(rounds.map((round) => pick(round).p50Us)),
    p99Us: median(rounds.map((round) => pick(round).p99Us)),
    cpuUs: median(rounds.map((round) => pick(round).cpuUs)),
  });
  const medians = { plain: medianOf((round) => round.plain), balanced: medianOf((round) => round.balanced) };
  const cpuByRound = rounds.map((round) => round.balanced.cpuUs - round.plain.cpuUs);
  const comparison = {
    throughputRatio: medians.balanced.throughput / medians.plain.throughput,
    p50AddedUs: medians.balanced.p50Us - medians.plain.p50Us,
    balancerCpuUsPerCall: median(cpuByRound),
  };
  console.log(
    `\n${calls} sequential Add(1, 2) calls per block (after ${warmupCalls} warm-up), median of ${reps} round(s)\n`,
  );
  const rows = (['plain', 'balanced'] as const).map((variant) => {
    const block = medians[variant];
    return [
      variant,
      fixed(block.throughput, 0),
      fixed(block.p50Us, 1),
      fixed(block.p99Us, 1),
      fixed(block.cpuUs, 1),
    ];
  });
  console.log(formatTable(['client', 'calls/s', 'p50 µs', 'p99 µs', 'CPU µs/call'], rows));
  console.log(`\nthroughput balanced/plain: ${fixed(comparison.throughputRatio, 3)}`);
  console.log(`p50 latency added: ${fixed(comparison.p50AddedUs, 1)} µs`);
  console.log(`the balancer's own CPU per call: ${fixed(comparison.balancerCpuUsPerCall, 1)} µs`);
  console.log(
    `  (median of the per-round differences: ${cpuByRound.map((us) => fixed(us, 1)).join(', ')} µs)`,
  );
  await writeResults(name, { settings: { reps, calls, warmupCalls }, rounds, medians, comparison });
  return comparison;
}

export const overhead: Scenario = {
  name: 'overhead',
  // About 0.5 ms a call on a small machine, both clients, one settling round more than asked.
  seconds: (s) => 5 + ((s.reps + 1) * 2 * (s.calls + s.warmupCalls)) / 2000,
  run: async (settings: BenchSettings) => {
    console.log(heading('overhead: plain node-soap vs soap-balancer, one server in a child process'));
    const server = startNode('calculator', serverScript, ['bench-calculator', '0']);
    try {
      const { url, wsdlUrl } = JSON.parse(await server.nextLine()) as { url: string; wsdlUrl: string };
      // Plain node-soap uses Node's global keep-alive agent: nothing to close.
      const plain = addCall(await createClientAsync(wsdlUrl));
      const balanced = await createBalancedClient(wsdlUrl, { servers: [url] });
      try {
        const { throughputRatio } = await comparePlainBalanced(
          'overhead',
          plain,
          addCall(balanced),
          settings,
        );
        return [checkBound('throughput balanced/plain >= 0.97', throughputRatio, '>=', 0.97)];
      } finally {
        await balanced.close();
      }
    } finally {
      await server.stop();
    }
  },
};
