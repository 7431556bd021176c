// One Work replica as its own process, so that the benchmark can SIGKILL it like a crashed server.
// Usage: node --import tsx bench/backend/run-backend.ts <name> <mult> [port]
// Prints one JSON line on stdout once it serves: { name, url, wsdlUrl }.
import { startWorkServer } from './work-server.js';

const [name, mult, port = '0'] = process.argv.slice(2);
if (name === undefined || mult === undefined || !(Number(mult) > 0)) {
  console.error('Usage: run-backend.ts <name> <mult> [port]');
  process.exit(2);
}
const server = await startWorkServer({ name, mult: Number(mult), port: Number(port) });
process.stdout.write(`${JSON.stringify({ name: server.name, url: server.url, wsdlUrl: server.wsdlUrl })}\n`);
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
