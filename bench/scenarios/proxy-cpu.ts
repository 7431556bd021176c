// The proxy's CPU per call, with nothing else in the way: a plain `node:http` client (keep-alive, in
// the bench process) calls the proxy (the CLI as shipped, from dist/), which calls a trivial backend
// (also in the bench process) answering a fixed SOAP envelope. At a fixed 1,000 calls/s and at the
// top rate of 8 concurrent callers. Beside it, a 10-line `node:http` forwarder (no balancing, no
// header filtering, no buffering): the floor a Node process sets for the same hop.
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { cpuSecondsOf, type Proc, startProcess } from '../harness/processes.js';
import { writeResults } from '../harness/results.js';
import type { Scenario } from '../harness/scenario.js';
import type { BenchSettings } from '../harness/settings.js';
import { median, percentile } from '../harness/stats.js';
import { fixed, formatTable, heading } from '../harness/table.js';
import { checkBound, printTargets } from '../harness/targets.js';

const builtCli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const rates = [1_000, 'max'] as const;
const concurrency = 8;

const forwarder = `
import http from 'node:http';
const { hostname, port } = new URL(process.argv[1]);
const agent = new http.Agent({ keepAlive: true });
const server = http.createServer((req, res) => {
  const up = http.request({ hostname, port, path: req.url, method: req.method, headers: req.headers, agent }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  req.pipe(up);
});
server.listen(0, '127.0.0.1', () => console.log('forwarder listening on http://127.0.0.1:' + server.address().port));
`;

const envelope = (body: string) =>
  Buffer.from(
    `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`,
  );
const requestBody = envelope(
  '<AddRequest xmlns="http://example.com/calculator"><a>1</a><b>2</b></AddRequest>',
);
const answerBody = envelope(
  '<AddResponse xmlns="http://example.com/calculator"><result>3</result></AddResponse>',
);

interface Measured {
  readonly callsPerS: number;
  readonly cpuUsPerCall: number;
  readonly p50Ms: number;
  readonly errors: number;
}

async function startBackend() {
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume();
    req.on('end', () =>
      res.writeHead(200, { 'content-type': 'text/xml', 'content-length': answerBody.length }).end(answerBody),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function measure(
  proc: Proc,
  url: string,
  rate: (typeof rates)[number],
  seconds: number,
  warmupS: number,
) {
  const { port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  const call = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const outgoing = request(
        {
          host: '127.0.0.1',
          port,
          path: '/calculator',
          method: 'POST',
          agent,
          headers: {
            'content-type': 'text/xml',
            soapaction: '"http://example.com/calculator/Add"',
            'content-length': requestBody.length,
          },
        },
        (answer) => {
          answer.resume();
          answer.on('end', () => {
            if (answer.statusCode === 200) ok++;
            else errors++;
            latencies.push(performance.now() - started);
            resolve();
          });
        },
      );
      outgoing.on('error', () => {
        errors++;
        resolve();
      });
      outgoing.end(requestBody);
    });
  const run = async (runS: number) => {
    const end = performance.now() + runS * 1000;
    if (rate === 'max') {
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < end) await call();
        }),
      );
      return;
    }
    const start = performance.now();
    const inFlight = new Set<Promise<void>>();
    let sent = 0;
    while (performance.now() < end) {
      const due = Math.floor(((performance.now() - start) / 1000) * rate);
      for (; sent < due; sent++) {
        const pending = call();
        inFlight.add(pending);
        void pending.then(() => inFlight.delete(pending));
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(inFlight);
  };
  await run(warmupS);
  ok = 0;
  errors = 0;
  latencies.length = 0;
  const cpuBefore = await cpuSecondsOf(proc.pid);
  const started = performance.now();
  await run(seconds);
  const cpuS = (await cpuSecondsOf(proc.pid)) - cpuBefore;
  const wallS = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    callsPerS: ok / wallS,
    cpuUsPerCall: (cpuS * 1e6) / ok,
    p50Ms: percentile(latencies, 0.5),
    errors,
  };
}

async function runProxyCpu(settings: BenchSettings) {
  console.log(heading('Proxy CPU per call: plain HTTP client, trivial backend'));
  const backend = await startBackend();
  const variants = [
    {
      label: 'soap-balancer proxy',
      args: [builtCli, 'proxy', '--port', '0', '--server', backend.url, '--idempotent', '*'],
    },
    { label: 'node:http forwarder (floor)', args: ['--input-type=module', '-e', forwarder, backend.url] },
  ];
  const rows: { variant: string; rate: string; runs: Measured[] }[] = [];
  try {
    for (const rate of rates) {
      for (const variant of variants) {
        const runs: Measured[] = [];
        for (let rep = 0; rep < settings.reps; rep++) {
          const proc = startProcess(variant.label, process.execPath, variant.args);
          try {
            const url = / listening on (\S+)$/.exec(await proc.nextLine())?.[1];
            if (url === undefined) throw new Error(`${variant.label} printed no URL`);
            runs.push(await measure(proc, url, rate, settings.durationS, settings.warmupS));
          } finally {
            await proc.stop();
          }
        }
        rows.push({ variant: variant.label, rate: String(rate), runs });
      }
    }
  } finally {
    await new Promise((resolve) => backend.server.close(resolve));
    backend.server.closeAllConnections();
  }
  const of = (runs: Measured[], key: keyof Measured) => median(runs.map((run) => run[key]));
  console.log(
    formatTable(
      ['rate', 'variant', 'calls/s', 'p50 ms', 'CPU µs/call', 'errors'],
      rows.map((row) => [
        row.rate,
        row.variant,
        fixed(of(row.runs, 'callsPerS'), 0),
        fixed(of(row.runs, 'p50Ms'), 2),
        fixed(of(row.runs, 'cpuUsPerCall'), 0),
        String(row.runs.reduce((sum, run) => sum + run.errors, 0)),
      ]),
    ),
  );
  await writeResults('proxy-cpu', { rows });
  const proxyAt = (rate: string) =>
    of(
      rows.find((row) => row.variant === variants[0]?.label && row.rate === rate)?.runs ?? [],
      'cpuUsPerCall',
    );
  const checks = [
    checkBound('proxy CPU per call at 1,000 calls/s <= 150 µs', proxyAt('1000'), '<=', 150),
    checkBound('proxy CPU per call at its top rate <= 150 µs', proxyAt('max'), '<=', 150),
  ];
  printTargets(checks);
  return checks;
}

/** The proxy's CPU per call against a 10-line forwarder, at 1,000 calls/s and at its top rate. */
export const proxyCpu: Scenario = {
  name: 'proxy-cpu',
  seconds: (settings) => rates.length * 2 * settings.reps * (settings.durationS + settings.warmupS + 1),
  run: runProxyCpu,
};
