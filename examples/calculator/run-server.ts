// Starts one Calculator replica as its own process and prints its base URL as a JSON line on stdout.
// Usage: node --import tsx examples/calculator/run-server.ts <name> [delayMs]
import { startCalculatorServer } from './server.js';

const [name = 'calculator', delay = '0'] = process.argv.slice(2);
const server = await startCalculatorServer({ name, delayMs: Number(delay) });
process.stdout.write(`${JSON.stringify({ name: server.name, url: server.url, wsdlUrl: server.wsdlUrl })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
