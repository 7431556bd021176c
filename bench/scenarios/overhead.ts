// What soap-balancer adds to one call, compared with plain node-soap: `overhead` against ONE
// Calculator server in its own process (so that the server's CPU is not counted), and `cpu` without a
// network, over a canned in-process http client, which isolates the balancer's own CPU (selection, URL
// rewrite, bookkeeping) from the network's noise. Sequential calls, in blocks of each client in turn.
import { fileURLToPath } from 'node:url';
import { createClientAsync } from 'soap';
import { calculatorWsdl } from '../../examples/calculator/wsdl.js';
import { createBalancedClient } from '../../src/index.js';
import { startNode } from '../harness/processes.js';
import { writeResults } from '../harness/results.js';
import type { Scenario } from '../harness/scenario.js';
import { median, percentile } from '../harness/stats.js';
import { fixed, formatTable, heading } from '../harness/table.js';
import { checkBound } from '../harness/targets.js';
import { addCall } from '../load/callers.js';

const serverScript = fileURLToPath(new URL('../../examples/calculator/run-server.ts', import.meta.url));
const warmupCalls = 300;

async function runBlock(call: () => Promise<string>, calls: number) {
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
    cpuUs: (cpu.user + cpu.system) / calls,
  };
}

type Block = Awaited<ReturnType<typeof runBlock>>;

/**
 * `reps` rounds of one block per client, alternating which goes first (cancelling drift: CPU
 * frequency, GC debt), after one discarded round: a first run takes about twice as long per call (JIT
 * tiers, lazy paths in axios and node-soap), more than a warm-up of a few hundred calls covers. The
 * balancer's own CPU is the median of the per-round differences, less moved by a disturbed round.
 */
async function compare(
  name: string,
  plain: () => Promise<string>,
  balanced: () => Promise<string>,
  calls: number,
  reps: number,
) {
  const rounds: { plain: Block; balanced: Block }[] = [];
  for (let round = 0; round <= reps; round++) {
    const plainFirst = round % 2 === 0;
    const first = await runBlock(plainFirst ? plain : balanced, calls);
    const second = await runBlock(plainFirst ? balanced : plain, calls);
    if (round > 0)
      rounds.push(plainFirst ? { plain: first, balanced: second } : { plain: second, balanced: first });
    process.stderr.write(
      `  ${name}: round ${round}/${reps} done${round === 0 ? ' (settling, discarded)' : ''}\n`,
    );
  }
  const medianOf = (client: 'plain' | 'balanced', key: 'throughput' | 'p50Us' | 'cpuUs') =>
    median(rounds.map((round) => round[client][key]));
  const result = {
    throughputRatio: medianOf('balanced', 'throughput') / medianOf('plain', 'throughput'),
    p50AddedUs: medianOf('balanced', 'p50Us') - medianOf('plain', 'p50Us'),
    balancerCpuUs: median(rounds.map((round) => round.balanced.cpuUs - round.plain.cpuUs)),
  };
  console.log(
    `\n${calls} sequential Add(1, 2) per block after ${warmupCalls} warm-up, median of ${reps} round(s)\n`,
  );
  const rows = (['plain', 'balanced'] as const).map((client) => [
    client,
    fixed(medianOf(client, 'throughput'), 0),
    fixed(medianOf(client, 'p50Us'), 1),
    fixed(medianOf(client, 'cpuUs'), 1),
  ]);
  console.log(formatTable(['client', 'calls/s', 'p50 µs', 'CPU µs/call'], rows));
  console.log(
    `\nthroughput balanced/plain ${fixed(result.throughputRatio, 3)}, p50 added ${fixed(result.p50AddedUs, 1)} µs`,
  );
  console.log(
    `the balancer's own CPU per call ${fixed(result.balancerCpuUs, 1)} µs (median of per-round differences)`,
  );
  await writeResults(name, { calls, warmupCalls, rounds, result });
  return result;
}

export const overhead: Scenario = {
  name: 'overhead',
  // About 0.5 ms a call on a small machine, two clients, one settling round.
  seconds: (s) => 5 + (s.reps + 1) * 2 * 2300 * 0.0005,
  run: async (settings) => {
    console.log(heading('overhead: plain node-soap vs soap-balancer, one server in a child process'));
    const server = startNode('calculator', serverScript, ['calculator']);
    try {
      const { url, wsdlUrl } = JSON.parse(await server.nextLine()) as { url: string; wsdlUrl: string };
      // Plain node-soap uses Node's global keep-alive agent: nothing to close.
      const plain = addCall(await createClientAsync(wsdlUrl));
      const balanced = await createBalancedClient(wsdlUrl, { servers: [url] });
      try {
        const { throughputRatio } = await compare('overhead', plain, addCall(balanced), 2000, settings.reps);
        return [checkBound('throughput balanced/plain >= 0.97', throughputRatio, '>=', 0.97)];
      } finally {
        await balanced.close();
      }
    } finally {
      await server.stop();
    }
  },
};

const origin = 'http://calculator.test';
const wsdl = calculatorWsdl({ address: `${origin}/calculator` });
const answer =
  '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">' +
  '<soap:Body><tns:AddResponse xmlns:tns="http://example.com/calculator"><tns:result>3</tns:result>' +
  '<tns:server>canned</tns:server></tns:AddResponse></soap:Body></soap:Envelope>';
/** Answers like a server would, asynchronously, without sockets: the WSDL to a GET, AddResponse to a POST. */
const httpClient = {
  request(
    _url: string,
    data: unknown,
    callback: (error: unknown, response?: unknown, body?: unknown) => void,
  ) {
    const body = data === null || data === undefined ? wsdl : answer;
    const response = {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      data: body,
      config: { headers: {} },
    };
    return Promise.resolve().then(() => {
      callback(null, response, body);
      return response;
    });
  },
};

export const cpu: Scenario = {
  name: 'cpu',
  // About 60 µs of CPU a call here, two clients, one settling round.
  seconds: (s) => 2 + (s.reps + 1) * 2 * 20_300 * 60e-6,
  run: async (settings) => {
    console.log(heading("cpu: the balancer's own CPU per call, no network (canned in-process http client)"));
    const wsdlUrl = `${origin}/calculator?wsdl`;
    const plain = await createClientAsync(wsdlUrl, { httpClient: httpClient as never, disableCache: true });
    const soap = { httpClient: httpClient as never };
    const balanced = await createBalancedClient(wsdlUrl, { servers: [origin], soap });
    try {
      const { balancerCpuUs } = await compare(
        'cpu',
        addCall(plain),
        addCall(balanced),
        20_000,
        settings.reps,
      );
      return [checkBound("the balancer's own CPU per call <= 25 µs", balancerCpuUs, '<=', 25, 'µs')];
    } finally {
      await balanced.close();
    }
  },
};
