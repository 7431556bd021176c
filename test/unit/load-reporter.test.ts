import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { describe, type TestContext, test } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { attachLoadReporter, type LoadReporter } from '../../src/load-report/reporter.js';
import { type LoadReport, loadScore, parseLoadReport } from '../../src/load-report/schema.js';
import { catchSoapError } from './helpers.js';

const idle: LoadReport = {
  version: 1,
  inFlight: 0,
  queued: 0,
  capacity: null,
  served: 0,
  eventLoopDelayMs: 0,
  uptimeMs: 1000,
};

describe('loadScore', () => {
  test('is the outstanding requests per slot plus the event-loop delay in units of 100 ms', () => {
    assert.equal(loadScore({ ...idle, inFlight: 2, queued: 3, capacity: 2 }), 2.5);
    assert.equal(loadScore({ ...idle, inFlight: 4, capacity: 4, eventLoopDelayMs: 50 }), 1.5);
    assert.equal(loadScore(idle), 0);
  });

  test('counts a report without capacity as one slot', () => {
    assert.equal(loadScore({ ...idle, inFlight: 2, queued: 1 }), 3);
    assert.equal(loadScore({ ...idle, inFlight: 2, queued: 1, capacity: 1 }), 3);
  });
});

describe('parseLoadReport', () => {
  test('accepts a report, with or without capacity, and keeps only the known fields', () => {
    const full = { ...idle, capacity: 8, served: 3, eventLoopDelayMs: 1.5 };
    assert.deepEqual(parseLoadReport(full), full);
    assert.deepEqual(parseLoadReport({ ...idle, extra: 'ignored' }), idle);
    assert.deepEqual(parseLoadReport(JSON.parse(JSON.stringify(idle))), idle);
  });

  test('rejects what is not a report object', () => {
    for (const value of [null, undefined, 'report', 1, []]) assert.equal(parseLoadReport(value), undefined);
  });

  test('rejects another version', () => {
    for (const version of [0, 2, '1', undefined]) {
      assert.equal(parseLoadReport({ ...idle, version }), undefined, `version ${String(version)}`);
    }
  });

  test('rejects a missing, negative, non-finite or non-number count', () => {
    const fields = ['inFlight', 'queued', 'served', 'eventLoopDelayMs', 'uptimeMs'] as const;
    for (const field of fields) {
      const { [field]: _, ...missing } = idle;
      assert.equal(parseLoadReport(missing), undefined, `${field} missing`);
      for (const value of [-1, Number.NaN, Number.POSITIVE_INFINITY, '1', null]) {
        assert.equal(parseLoadReport({ ...idle, [field]: value }), undefined, `${field}: ${String(value)}`);
      }
    }
  });

  test('rejects a capacity below 1, missing or not a number', () => {
    const { capacity: _, ...missing } = idle;
    assert.equal(parseLoadReport(missing), undefined);
    for (const capacity of [0, 0.5, -1, Number.NaN, '2']) {
      assert.equal(parseLoadReport({ ...idle, capacity }), undefined, `capacity ${String(capacity)}`);
    }
  });
});

/** An http server that is never listened on: the reporter only needs its listeners. */
function serverWithListener(): { server: Server; original: () => void } {
  const original = () => {};
  return { server: createServer(original), original };
}

function attached(t: TestContext, server: Server, options?: Parameters<typeof attachLoadReporter>[1]) {
  const reporter: LoadReporter = attachLoadReporter(server, options);
  t.after(() => reporter.close());
  return reporter;
}

function throwsWith(fn: () => unknown, type: typeof TypeError | typeof RangeError, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof Error && error.constructor === type, `expected ${type.name}, got ${error}`);
    assert.match(error.message, message);
    return true;
  });
}

describe('attachLoadReporter: options', () => {
  test('rejects a capacity that is not an integer >= 1', () => {
    const { server } = serverWithListener();
    throwsWith(
      () => attachLoadReporter(server, { capacity: 0 }),
      RangeError,
      /^Expected `capacity` to be an integer >= 1, got `0` \(number\)$/,
    );
    throwsWith(() => attachLoadReporter(server, { capacity: -3 }), RangeError, /got `-3` \(number\)/);
    throwsWith(() => attachLoadReporter(server, { capacity: 1.5 }), TypeError, /got `1.5` \(number\)/);
    throwsWith(() => attachLoadReporter(server, { capacity: Number.NaN }), TypeError, /got `NaN`/);
    const capacity = '2' as unknown as number;
    throwsWith(() => attachLoadReporter(server, { capacity }), TypeError, /`capacity`.*got `2` \(string\)/);
  });

  test('rejects a path that is not a plain absolute path', () => {
    const { server } = serverWithListener();
    for (const path of ['load', '', '/load?x=1', '/load#top', '/a b']) {
      throwsWith(() => attachLoadReporter(server, { path }), TypeError, /^Expected `path` to be a URL path/);
    }
    const path = 42 as unknown as string;
    throwsWith(() => attachLoadReporter(server, { path }), TypeError, /got `42` \(number\)$/);
  });

  test('rejects a metricsPath that is not a plain absolute path, or is the report path', () => {
    const { server } = serverWithListener();
    for (const metricsPath of ['metrics', '', '/metrics?x=1']) {
      throwsWith(
        () => attachLoadReporter(server, { metricsPath }),
        TypeError,
        /^Expected `metricsPath` to be a URL path/,
      );
    }
    const enabled = true as unknown as string;
    throwsWith(
      () => attachLoadReporter(server, { metricsPath: enabled }),
      TypeError,
      /got `true` \(boolean\)$/,
    );
    throwsWith(
      () => attachLoadReporter(server, { path: '/load', metricsPath: '/load' }),
      TypeError,
      /^Expected `metricsPath` to differ from `path`, got `\/load`$/,
    );
  });

  test('rejects a queued or now that is not a function, and unknown options', () => {
    const { server } = serverWithListener();
    const queued = 3 as unknown as () => number;
    throwsWith(
      () => attachLoadReporter(server, { queued }),
      TypeError,
      /^Expected `queued` to be a function/,
    );
    const now = 'now' as unknown as () => number;
    throwsWith(
      () => attachLoadReporter(server, { now }),
      TypeError,
      /^Expected `now` to be a function, got `now` \(string\)$/,
    );
    const unknown = { capasity: 2 } as unknown as Parameters<typeof attachLoadReporter>[1];
    throwsWith(() => attachLoadReporter(server, unknown), TypeError, /^Unknown option `capasity`$/);
  });

  test('rejects what is not a server', () => {
    const notServer = {} as unknown as Server;
    throwsWith(
      () => attachLoadReporter(notServer),
      TypeError,
      /^Expected `server` to be an http or https server$/,
    );
  });

  test('an invalid option leaves the server untouched', () => {
    const { server, original } = serverWithListener();
    assert.throws(() => attachLoadReporter(server, { capacity: 0 }));
    assert.deepEqual(server.listeners('request'), [original]);
  });
});

describe('attachLoadReporter: report() and close()', () => {
  test('reports an idle server: nothing in flight, capacity null by default, uptime from attach', (t) => {
    let clock = 1_000;
    const reporter = attached(t, serverWithListener().server, { now: () => clock });
    clock += 250;
    const report = reporter.report();
    assert.deepEqual({ ...report, eventLoopDelayMs: 0 }, { ...idle, uptimeMs: 250 });
    assert.ok(report.eventLoopDelayMs >= 0);
    assert.deepEqual(parseLoadReport(report), report);
  });

  test('reports the capacity and what queued() returns', (t) => {
    let waiting = 4;
    const reporter = attached(t, serverWithListener().server, { capacity: 3, queued: () => waiting });
    assert.deepEqual([reporter.report().capacity, reporter.report().queued], [3, 4]);
    // Requests counted as queued are never more than in flight, so inFlight stays 0 rather than negative.
    assert.equal(reporter.report().inFlight, 0);
    waiting = 0;
    assert.equal(reporter.report().queued, 0);
  });

  test('report() throws when queued() does not return an integer >= 0', (t) => {
    const reporter = attached(t, serverWithListener().server, { queued: () => -1 });
    throwsWith(
      () => reporter.report(),
      TypeError,
      /^Expected `queued\(\)` to return an integer >= 0, got `-1`/,
    );
  });

  test('replaces the listeners with one, and close() puts them back, keeping listeners added since', () => {
    const { server, original } = serverWithListener();
    const reporter = attachLoadReporter(server);
    const [listener, ...rest] = server.listeners('request');
    assert.notEqual(listener, original);
    assert.deepEqual(rest, []);
    const later = () => {};
    server.on('request', later);

    reporter.close();
    reporter.close();
    assert.deepEqual(server.listeners('request'), [original, later]);
  });

  test('refuses a second reporter on the same server until the first is closed', () => {
    const { server } = serverWithListener();
    const first = attachLoadReporter(server);
    const error = catchSoapError(() => attachLoadReporter(server), ErrorCode.ReporterAttached);
    assert.equal(error.message, 'A load reporter is already attached to this server');
    first.close();
    attachLoadReporter(server).close();
  });
});
