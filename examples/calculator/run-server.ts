// Starts one Calculator replica as its own process, reporting its load (unless told `no-report`), and
// prints its base URL as a JSON line on stdout.
// Usage: node --import tsx examples/calculator/run-server.ts <name> [delayMs] [capacity] [no-report]
import { startCalculatorServer } from './server.js';

const [name = 'calculator', delay = '0', capacity, report] = process.argv.slice(2);
const server = await startCalculatorServer({
  name,
  delayMs: Number(delay),
  loadReport: report !== 'no-report',
  ...(capacity === undefined ? {} : { capacity: Number(capacity) }),
});
process.stdout.write(`${JSON.stringify({ name: server.name, url: server.url, wsdlUrl: server.wsdlUrl })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
