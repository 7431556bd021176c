// What soap-balancer adds to a call, against plain node-soap: `overhead` with ONE Calculator server in
// its own process (its CPU is not counted), and `cpu` over a canned in-process http client, which
// isolates the balancer's own CPU (selection, URL rewrite, bookkeeping) from the network's noise.
import { fileURLToPath } from 'node:url';
import { type Client, createClientAsync } from 'soap';
import { calculatorWsdl } from '../../examples/calculator/wsdl.js';
import { createBalancedClient } from '../../src/index.js';
import { startNode } from '../harness/processes.js';
import { writeResults } from '../harness/results.js';
import type { Scenario } from '../harness/scenario.js';
import { median, percentile } from '../harness/stats.js';
import { fixed, formatTable, heading } from '../harness/table.js';
import { checkBound } from '../harness/targets.js';
import { addCall } from '../load/callers.js';

const warmupCalls = 300;

/** `calls` sequential calls after a warm-up: the other client just ran, its JIT state and sockets were hot. */
async function runBlock(call: () => Promise<string>, calls: number) {
  for (let i = 0; i < warmupCalls; i++) await call();
  const latenciesNs = new Float64Array(calls);
  const cpuBefore = process.cpuUsage();
  const blockStart = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    await call();
    latenciesNs[i] = Number(process.hrtime.bigint() - start);
  }
  const seconds = Number(process.hrtime.bigint() - blockStart) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const p50Us = percentile(latenciesNs.sort(), 0.5) / 1000;
  return { throughput: calls / seconds, p50Us, cpuUs: (cpu.user + cpu.system) / calls };
}

type Block = Awaited<ReturnType<typeof runBlock>>;

/**
 * `reps` rounds of a block per client, alternating which goes first (drift: CPU frequency, GC debt),
 * after a discarded round: a first run is about twice as slow per call (JIT tiers, lazy paths in axios
 * and node-soap), more than a warm-up covers. The balancer's CPU is the median of the per-round
 * differences, less moved by a round that other processes disturbed.
 */
async function compare(name: string, plain: Client, balanced: Client, calls: number, reps: number) {
  const clients = { plain: addCall(plain), balanced: addCall(balanced) };
  const rounds: { plain: Block; balanced: Block }[] = [];
  for (let round = 0; round <= reps; round++) {
    const plainFirst = round % 2 === 0;
    const first = await runBlock(plainFirst ? clients.plain : clients.balanced, calls);
    const second = await runBlock(plainFirst ? clients.balanced : clients.plain, calls);
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
  const rows = (['plain', 'balanced'] as const).map((client) => [
    client,
    fixed(medianOf(client, 'throughput'), 0),
    fixed(medianOf(client, 'p50Us'), 1),
    fixed(medianOf(client, 'cpuUs'), 1),
  ]);
  console.log(`\n${calls} sequential Add(1, 2) per block, median of ${reps} round(s)\n`);
  console.log(formatTable(['client', 'calls/s', 'p50 µs', 'CPU µs/call'], rows));
  console.log(
    `\nthroughput balanced/plain ${fixed(result.throughputRatio, 3)}, p50 ${fixed(result.p50AddedUs, 1)} µs more,`,
  );
  console.log(`the balancer's own CPU per call ${fixed(result.balancerCpuUs, 1)} µs`);
  await writeResults(name, { calls, warmupCalls, rounds, result });
  return result;
}

export const overhead: Scenario = {
  name: 'overhead',
  // About 0.5 ms a call on a small machine, two clients, one settling round.
  seconds: (s) => 5 + (s.reps + 1) * 2 * 2300 * 0.0005,
  run: async ({ reps }) => {
    console.log(heading('overhead: plain node-soap vs soap-balancer, one server in a child process'));
    const script = fileURLToPath(new URL('../../examples/calculator/run-server.ts', import.meta.url));
    const server = startNode('calculator', script, ['calculator']);
    try {
      const { url, wsdlUrl } = JSON.parse(await server.nextLine()) as { url: string; wsdlUrl: string };
      const balanced = await createBalancedClient(wsdlUrl, { servers: [url] });
      try {
        // Plain node-soap uses Node's global keep-alive agent: nothing to close.
        const { throughputRatio } = await compare(
          'overhead',
          await createClientAsync(wsdlUrl),
          balanced,
          2000,
          reps,
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

const wsdl = calculatorWsdl({ address: 'http://calculator.test/calculator' });
const answer =
  '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">' +
  '<soap:Body><tns:AddResponse xmlns:tns="http://example.com/calculator"><tns:result>3</tns:result>' +
  '<tns:server>canned</tns:server></tns:AddResponse></soap:Body></soap:Envelope>';
/** Answers as a server would, asynchronously, without sockets: the WSDL to a GET, AddResponse to a POST. */
const httpClient = {
  async request(
    _url: string,
    data: unknown,
    callback: (error: unknown, response: unknown, body: unknown) => void,
  ) {
    await Promise.resolve();
    const body = data === null || data === undefined ? wsdl : answer;
    const response = {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      data: body,
      config: { headers: {} },
    };
    callback(null, response, body);
    return response;
  },
};

export const cpu: Scenario = {
  name: 'cpu',
  // About 60 µs of CPU a call here, two clients, one settling round.
  seconds: (s) => 2 + (s.reps + 1) * 2 * 20_300 * 60e-6,
  run: async ({ reps }) => {
    console.log(heading("cpu: the balancer's own CPU per call, no network (canned in-process http client)"));
    const wsdlUrl = 'http://calculator.test/calculator?wsdl';
    const soap = { httpClient: httpClient as never, disableCache: true };
    const plain = await createClientAsync(wsdlUrl, soap);
    const balanced = await createBalancedClient(wsdlUrl, { servers: ['http://calculator.test'], soap });
    try {
      const { balancerCpuUs } = await compare('cpu', plain, balanced, 20_000, reps);
      return [checkBound("the balancer's own CPU per call <= 25 µs", balancerCpuUs, '<=', 25, 'µs')];
    } finally {
      await balanced.close();
    }
  },
};
