// Child process of the monitor-scale bench: N fake replicas behind ONE port, told apart by a path prefix
// (`/s0` … `/s<N-1>`), each answering its load report. One process and one port, so that 1,000 servers
// cost 1,000 cheap routes rather than 1,000 processes; the monitor's probes are the same either way.
//
// Usage: node --import tsx bench/monitor-scale/stub-server.ts <count>
// Prints `{"port":P}` on stdout once listening; exits when its stdin closes (the bench died).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultLoadReportPath, type LoadReport, loadReportVersion } from '../../src/load-report/schema.js';

const count = Number(process.argv[2]);
if (!Number.isInteger(count) || count < 1) {
  console.error(`Expected the number of servers as the only argument, got \`${process.argv[2]}\``);
  process.exit(2);
}

const route = new RegExp(`^/s(\\d+)${defaultLoadReportPath.replaceAll('/', '\\/')}$`);
const served = new Array<number>(count).fill(0);
const startedAt = performance.now();

/** Small random figures: the monitor must parse and score a real, changing report, not a constant. */
function report(index: number): LoadReport {
  served[index] = (served[index] ?? 0) + Math.floor(Math.random() * 20);
  return {
    version: loadReportVersion,
    inFlight: Math.floor(Math.random() * 4),
    queued: 0,
    capacity: 8,
    served: served[index] ?? 0,
    eventLoopDelayMs: Math.round(Math.random() * 200) / 100,
    uptimeMs: Math.round(performance.now() - startedAt),
  };
}

// Longer than a probe interval by far: a kept-alive probe connection must not be closed between two
// rounds, or the monitor would pay reconnects (and retries on resets) that a real replica would not cost.
const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
  const match = route.exec(request.url ?? '');
  const index = match ? Number(match[1]) : -1;
  if (request.method !== 'GET' || index < 0 || index >= count) {
    response.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': 10 }).end('not found\n');
    return;
  }
  const body = JSON.stringify(report(index));
  response
    .writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) })
    .end(body);
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});

// The bench kills this process by PID; if the bench itself is killed, its end of stdin closes instead.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
