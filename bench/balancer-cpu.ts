// The balancer's own CPU per call, without the network's noise: node-soap with a canned in-process
// http client, plain vs balanced over the same canned client, interleaved in one run. What remains
// between the two is exactly what soap-balancer adds (selection, URL rewrite, failover bookkeeping).
import { type Client, createClientAsync } from 'soap';
import { calculatorWsdl } from '../examples/calculator/wsdl.js';
import { createBalancedClient } from '../src/index.js';
import { heading } from './format.js';
import { writeResults } from './results.js';
import type { BenchSettings } from './settings.js';
import { median } from './stats.js';

const origin = 'http://calculator.test';
const wsdlUrl = `${origin}/calculator?wsdl`;
const wsdl = calculatorWsdl({ address: `${origin}/calculator` });
const answer =
  '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">' +
  '<soap:Body><tns:AddResponse xmlns:tns="http://example.com/calculator"><tns:result>3</tns:result>' +
  '<tns:server>canned</tns:server></tns:AddResponse></soap:Body></soap:Envelope>';

type Callback = (error: unknown, response?: unknown, body?: unknown) => void;

/** Answers like a server would, asynchronously, without sockets: the WSDL to a GET, AddResponse to a POST. */
const cannedHttpClient = {
  request(_url: string, data: unknown, callback: Callback): Promise<unknown> {
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

export interface CpuRound {
  readonly plainMicros: number;
  readonly balancedMicros: number;
}

export interface CpuReport {
  readonly calls: number;
  readonly rounds: readonly CpuRound[];
  readonly plainMicros: number;
  readonly balancedMicros: number;
  readonly balancerMicros: number;
}

async function cpuMicrosPerCall(client: Client, calls: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    const [result] = await client.AddAsync({ a: 1, b: 2 });
    if (Number(result.result) !== 3) throw new Error(`unexpected answer ${JSON.stringify(result)}`);
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls;
}

/** Runs `rounds` interleaved blocks of `calls` sequential calls per variant (after a warm-up block). */
export async function runBalancerCpu(calls: number, rounds: number): Promise<CpuReport> {
  const plain = await createClientAsync(wsdlUrl, {
    httpClient: cannedHttpClient as never,
    disableCache: true,
  });
  const balanced = await createBalancedClient(wsdlUrl, {
    servers: [origin],
    soap: { httpClient: cannedHttpClient as never },
  });
  try {
    await cpuMicrosPerCall(plain, calls);
    await cpuMicrosPerCall(balanced, calls);
    const results: CpuRound[] = [];
    for (let round = 0; round < rounds; round++) {
      // Alternate which goes first, so that warming and GC drift don't favour one variant.
      const first = round % 2 === 0;
      const a = await cpuMicrosPerCall(first ? plain : balanced, calls);
      const b = await cpuMicrosPerCall(first ? balanced : plain, calls);
      results.push(first ? { plainMicros: a, balancedMicros: b } : { plainMicros: b, balancedMicros: a });
    }
    const plainMicros = median(results.map((r) => r.plainMicros));
    const balancedMicros = median(results.map((r) => r.balancedMicros));
    return {
      calls,
      rounds: results,
      plainMicros,
      balancedMicros,
      balancerMicros: median(results.map((r) => r.balancedMicros - r.plainMicros)),
    };
  } finally {
    await balanced.close();
  }
}

export function printBalancerCpu(report: CpuReport): void {
  console.log(heading("cpu: the balancer's own CPU per call, no network"));
  console.log(`\nBalancer CPU per call, no network: node-soap with a canned in-process http client,`);
  console.log(`${report.calls} sequential Add calls per block, ${report.rounds.length} interleaved rounds\n`);
  console.log('round  plain µs/call  balanced µs/call  difference µs');
  report.rounds.forEach((round, index) => {
    const cells = [round.plainMicros, round.balancedMicros, round.balancedMicros - round.plainMicros];
    console.log(
      `${String(index + 1).padStart(5)}  ${cells.map((v, i) => v.toFixed(1).padStart([13, 16, 13][i] as number)).join('  ')}`,
    );
  });
  console.log(
    `\nmedian: plain ${report.plainMicros.toFixed(1)} µs, balanced ${report.balancedMicros.toFixed(1)} µs`,
  );
  console.log(
    `the balancer's own CPU per call (median of per-round differences): ${report.balancerMicros.toFixed(1)} µs`,
  );
}

export function cpuSeconds(settings: BenchSettings): number {
  // About 60 µs of CPU a call in a block here, two variants, one warm-up block each.
  return 2 + (20 * settings.calls * (settings.reps + 1) * 60) / 1e6;
}

/** `cpu`: ten times `--calls` per block, `--reps` rounds. */
export async function runCpu(settings: BenchSettings): Promise<void> {
  const report = await runBalancerCpu(10 * settings.calls, settings.reps);
  printBalancerCpu(report);
  await writeResults('cpu', { ...report });
}
