import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadScore } from '../../src/load-report/schema.js';
import { ServerHealth, type Transition } from '../../src/monitor/health.js';
import { probeFailed } from '../../src/monitor/probe-failure.js';
import type { ProbeResult } from '../../src/monitor/prober.js';
import { loadReport } from '../helpers/monitor.js';

const ok = (latencyMs = 10): ProbeResult => ({ ok: true, latencyMs, report: undefined });
const failed: ProbeResult = { ok: false, error: probeFailed('http://a:1/', 'connection refused') };

/** Feeds `results` in turn and returns the transition each one caused. */
function feed(health: ServerHealth, results: ProbeResult[]): Transition[] {
  return results.map((result, index) => health.record(result, 1_700_000_000_000 + index));
}

const health = (rise = 2, fall = 3) => new ServerHealth({ rise, fall, latencyScaleMs: 100 });

describe('ServerHealth: hysteresis', () => {
  test('is down, unchecked and without load before any probe', () => {
    assert.deepEqual(health().figures(false), {
      state: 'down',
      load: 0,
      loadSource: 'none',
      capacity: null,
      inFlight: null,
      queued: null,
      served: null,
      eventLoopDelayMs: null,
      latencyMs: null,
      lastCheckedAt: null,
    });
  });

  test('the first result decides at once, either way', () => {
    const up = health();
    assert.deepEqual(feed(up, [ok()]), ['up']);
    assert.equal(up.figures(false).state, 'up');
    const down = health();
    assert.deepEqual(feed(down, [failed]), ['down']);
    assert.equal(down.figures(false).state, 'down');
    assert.equal(down.figures(false).lastCheckedAt, new Date(1_700_000_000_000).toISOString());
  });

  test('goes down only at the `fall`-th consecutive failure', () => {
    const server = health(2, 3);
    assert.deepEqual(feed(server, [ok(), failed, failed, failed, failed]), [
      'up',
      undefined,
      undefined,
      'down',
      undefined,
    ]);
  });

  test('a success between failures starts the count again', () => {
    const server = health(2, 3);
    assert.deepEqual(feed(server, [ok(), failed, failed, ok(), failed, failed]), [
      'up',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    assert.equal(server.figures(false).state, 'up');
  });

  test('comes back up only at the `rise`-th consecutive success', () => {
    const server = health(2, 1);
    assert.deepEqual(feed(server, [failed, ok(), failed, ok(), ok(), ok()]), [
      'down',
      undefined,
      undefined,
      undefined,
      'up',
      undefined,
    ]);
  });

  test('rise and fall of 1 follow every result', () => {
    const server = health(1, 1);
    assert.deepEqual(feed(server, [ok(), failed, ok(), ok(), failed]), [
      'up',
      'down',
      'up',
      undefined,
      'down',
    ]);
  });

  test('draining shows only while alive', () => {
    const server = health(1, 1);
    feed(server, [ok()]);
    assert.equal(server.figures(true).state, 'draining');
    feed(server, [failed]);
    assert.equal(server.figures(true).state, 'down');
  });
});

describe('ServerHealth: load figures', () => {
  test('a report gives its figures and loadScore as load', () => {
    const report = loadReport({ inFlight: 5, queued: 2, capacity: 4, served: 9, eventLoopDelayMs: 30 });
    const server = health();
    server.record({ ok: true, latencyMs: 3.456, report }, 0);
    const figures = server.figures(false);
    assert.equal(figures.loadSource, 'report');
    assert.equal(figures.load, loadScore(report));
    assert.deepEqual(
      [
        figures.capacity,
        figures.inFlight,
        figures.queued,
        figures.served,
        figures.eventLoopDelayMs,
        figures.latencyMs,
      ],
      [4, 5, 2, 9, 30, 3.46],
    );
  });

  test('without a report, load is the smoothed latency over latencyScaleMs', () => {
    const server = health();
    server.record(ok(100), 0);
    assert.equal(server.figures(false).load, 1);
    server.record(ok(20), 1);
    // A single fast probe moves the average a quarter of the way, not all the way.
    assert.equal(server.figures(false).load, 0.8);
    assert.equal(server.figures(false).latencyMs, 20);
    assert.equal(server.figures(false).loadSource, 'latency');
  });

  test('a down server keeps the figures it was last seen with', () => {
    const server = health(1, 1);
    server.record({ ok: true, latencyMs: 5, report: loadReport({ inFlight: 2 }) }, 0);
    server.record(failed, 1);
    const figures = server.figures(false);
    assert.equal(figures.state, 'down');
    assert.equal(figures.loadSource, 'report');
    assert.equal(figures.inFlight, 2);
    assert.equal(figures.lastCheckedAt, new Date(1).toISOString());
  });

  test('a reporter that disappears leaves latency-based figures only', () => {
    const server = health();
    server.record({ ok: true, latencyMs: 50, report: loadReport({ inFlight: 2 }) }, 0);
    server.record(ok(50), 1);
    const figures = server.figures(false);
    assert.equal(figures.loadSource, 'latency');
    assert.equal(figures.load, 0.5);
    assert.equal(figures.inFlight, null);
  });
});
