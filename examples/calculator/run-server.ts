// Starts one Calculator replica as its own process, reporting its load, and prints its base URL as a
// JSON line on stdout.
// Usage: node --import tsx examples/calculator/run-server.ts <name> [delayMs] [capacity]
import { startCalculatorServer } from './server.js';

const [name = 'calculator', delay = '0', capacity] = process.argv.slice(2);
const server = await startCalculatorServer({
  name,
  delayMs: Number(delay),
  loadReport: true,
  ...(capacity === undefined ? {} : { capacity: Number(capacity) }),
});
process.stdout.write(`${JSON.stringify({ name: server.name, url: server.url, wsdlUrl: server.wsdlUrl })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
