// One Work backend as its own process, so that a scenario can SIGKILL it like a crashed server.
// Usage: node --import tsx bench/backend/work-server.ts <name> <mult>
// Prints `{ url, wsdlUrl }` as one JSON line once it serves. Each call sleeps `ms × mult` in one of
// 4 slots, later calls wait their turn (FIFO), and the backend reports its load like a real one would,
// so that the monitor, HAProxy's checks and the balancer all see the same busyness.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { listen } from 'soap';
import { Limiter } from '../../examples/calculator/limiter.js';
import { attachLoadReporter } from '../../src/index.js';
import { workPath, workWsdl } from './work-wsdl.js';

const capacity = 4;
const [name, multText] = process.argv.slice(2);
const mult = Number(multText);
if (name === undefined || !(mult > 0)) {
  console.error('Usage: work-server.ts <name> <mult>');
  process.exit(2);
}
const limiter = new Limiter(capacity);
const http = createServer((_request, response) => response.writeHead(404).end());
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

const work = async ({ ms }: { ms: number }) => {
  const arrived = performance.now();
  return limiter.run(async () => {
    // The queue wait alone: how long this call sat behind others here.
    const waitedMs = performance.now() - arrived;
    await sleep(Number(ms) * mult);
    return { server: name, waitedMs: Math.round(waitedMs * 100) / 100 };
  });
};
await new Promise<void>((resolve, reject) => {
  listen(http, {
    path: workPath,
    services: { WorkService: { WorkSoap: { Work: work } } },
    xml: workWsdl(`${url}${workPath}`),
    callback: (error: unknown) => (error ? reject(error) : resolve()),
  });
});
// Only after node-soap's callback: it takes over the request listeners then, and the reporter must
// wrap node-soap's listener to count the SOAP calls.
attachLoadReporter(http, { capacity, queued: () => limiter.queued });
process.stdout.write(`${JSON.stringify({ url, wsdlUrl: `${url}${workPath}?wsdl` })}\n`);
