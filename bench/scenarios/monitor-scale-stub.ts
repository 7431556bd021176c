// Monitor-scale's servers: N fake backends behind ONE port, told apart by a path prefix (`/s0` …
// `/s<N-1>`), each answering its load report. One process and one port, so that 1,000 servers cost
// 1,000 cheap routes rather than 1,000 processes; the monitor's probes are the same either way.
// Usage: node --import tsx bench/scenarios/monitor-scale-stub.ts <count>; prints its port when listening.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultLoadReportPath, type LoadReport } from '../../src/index.js';

const count = Number(process.argv[2]);
const route = new RegExp(`^/s(\\d+)${defaultLoadReportPath}$`);
const served = new Array<number>(count).fill(0);
const startedAt = performance.now();

/** Small random figures: the monitor must parse and score a real, changing report, not a constant. */
function report(index: number): LoadReport {
  served[index] = (served[index] ?? 0) + Math.floor(Math.random() * 20);
  return {
    version: 1,
    inFlight: Math.floor(Math.random() * 4),
    queued: 0,
    capacity: 8,
    served: served[index] ?? 0,
    eventLoopDelayMs: Math.round(Math.random() * 200) / 100,
    uptimeMs: Math.round(performance.now() - startedAt),
  };
}

// Longer than a probe interval by far: a kept-alive probe connection must not be closed between two
// rounds, or the monitor would pay reconnects that a real backend would not cost it.
const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
  const index = Number(route.exec(request.url ?? '')?.[1] ?? -1);
  if (request.method !== 'GET' || !(index >= 0 && index < count)) {
    response.writeHead(404).end();
    return;
  }
  const body = JSON.stringify(report(index));
  response
    .writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) })
    .end(body);
});
server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
