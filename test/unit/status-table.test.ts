import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderStatusTable } from '../../src/cli/status-table.js';
import type { ServerStatus } from '../../src/status/schema.js';

const server = (fields: Partial<ServerStatus>): ServerStatus => ({
  id: 'a',
  url: 'http://a:1',
  state: 'up',
  load: 0.5,
  loadSource: 'report',
  capacity: 4,
  inFlight: 2,
  queued: 0,
  served: 1234,
  eventLoopDelayMs: 1,
  latencyMs: 3.25,
  lastCheckedAt: '2026-12-05T10:00:00.000Z',
  ...fields,
});

test('one row per server, columns aligned, unknowns as -, a never-checked server as never', () => {
  const lines = renderStatusTable(
    {
      version: 1,
      generatedAt: '2026-12-05T10:00:00.000Z',
      servers: [
        server({}),
        server({
          id: 'replica-long-name',
          url: 'http://b:1',
          state: 'draining',
          loadSource: 'latency',
          capacity: null,
          inFlight: null,
          queued: null,
          served: null,
          latencyMs: null,
          lastCheckedAt: null,
        }),
      ],
    },
    'http://m:8700/status',
    Date.parse('2026-12-05T10:00:01.500Z'),
  );
  assert.equal(lines[0], 'http://m:8700/status  2 of 2 servers alive  (status of 2026-12-05T10:00:00.000Z)');
  assert.deepEqual(lines.slice(2), [
    'SERVER             STATE     LOAD  SOURCE   INFLIGHT  QUEUED  CAP  SERVED  LATENCY  LASTCHK  URL',
    'a                  UP        0.50  report          2       0    4    1234    3.3ms     1.5s  http://a:1',
    'replica-long-name  DRAINING  0.50  latency         -       -    -       -        -    never  http://b:1',
  ]);
});

test('control characters from the monitor cannot drive the terminal', () => {
  const lines = renderStatusTable(
    { version: 1, generatedAt: '2026-12-05T10:00:00.000Z', servers: [server({ id: 'evil\x1b[2J\r' })] },
    'http://m/status',
    0,
  );
  assert.match(lines[3]!, /^evil\?\[2J\? /);
});
