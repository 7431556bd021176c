import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logLiveness } from '../../src/cli/liveness-log.js';
import { createLogger } from '../../src/cli/log-lines.js';
import {
  FakeTransport,
  fastProbing,
  jsonAnswer,
  loadReport,
  monitorFor,
  waitFor,
} from '../helpers/monitor.js';

const at = () => Date.parse('2026-12-05T10:00:00.000Z');

test('text lines are "<ISO time> <LEVEL> <message>"; json lines one object with time, level, msg and the fields', () => {
  const lines: string[] = [];
  const text = createLogger('text', (line) => lines.push(line), at);
  text.info('server a is up', { server: 'a' });
  text.warn('server b is down');
  text.error('it broke');
  const json = createLogger('json', (line) => lines.push(line), at);
  json.warn('server b is down', { server: 'b', state: 'down', msg: 'not this', level: 'nor this' });

  assert.deepEqual(lines.slice(0, 3), [
    '2026-12-05T10:00:00.000Z INFO  server a is up',
    '2026-12-05T10:00:00.000Z WARN  server b is down',
    '2026-12-05T10:00:00.000Z ERROR it broke',
  ]);
  assert.deepEqual(JSON.parse(lines[3]!), {
    server: 'b',
    state: 'down',
    time: '2026-12-05T10:00:00.000Z',
    level: 'warn',
    msg: 'server b is down',
  });
});

test('the first round names the servers down; a drained server coming back is logged as draining, not up', async (t) => {
  const failing = new Set(['http://b:1', 'http://c:1']);
  const transport = new FakeTransport((url) =>
    [...failing].some((server) => url.startsWith(server)) ? new Error('refused') : jsonAnswer(loadReport()),
  );
  const monitor = monitorFor(t, {
    servers: [
      { url: 'http://a:1', id: 'a' },
      { url: 'http://b:1', id: 'b', draining: true },
      { url: 'http://c:1', id: 'c' },
    ],
    transport,
    ...fastProbing,
    rise: 1,
  });
  const lines: string[] = [];
  const firstRoundDone = logLiveness(
    monitor,
    createLogger('json', (line) => lines.push(line), at),
  );
  await monitor.start();
  firstRoundDone();
  const events = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

  assert.deepEqual(events()[0], {
    alive: 1,
    servers: 3,
    down: ['b', 'c'],
    time: '2026-12-05T10:00:00.000Z',
    level: 'warn',
    msg: 'first round done: 1 of 3 servers alive; down: b, c',
  });
  assert.deepEqual(
    events()
      .slice(1)
      .map((event) => [event.server, event.state, event.code]),
    [
      ['b', 'down', 'SOAPBAL_PROBE_FAILED'],
      ['c', 'down', 'SOAPBAL_PROBE_FAILED'],
    ],
  );

  failing.clear();
  await waitFor(() => events().length >= 5, 'b and c back');
  const back = events().slice(3);
  assert.deepEqual(back.map((event) => event.msg).sort(), ['server b is draining', 'server c is up']);
});
