import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultLoadReportPath } from '../../src/load-report/schema.js';
import { normalizeMonitorOptions } from '../../src/monitor/options.js';

function throwsWith(fn: () => unknown, type: typeof TypeError | typeof RangeError, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    assert.equal(error.constructor, type);
    assert.match(error.message, message);
    return true;
  });
}

const withOption = (extra: Record<string, unknown>) => normalizeMonitorOptions({ servers: [], ...extra });

describe('normalizeMonitorOptions', () => {
  test('fills in every default; an empty server list is fine', () => {
    const options = normalizeMonitorOptions({ servers: [] });
    assert.deepEqual(
      {
        ...options,
        now: options.now === Date.now,
        random: options.random === Math.random,
      },
      {
        servers: [],
        intervalMs: 1000,
        timeoutMs: 1000,
        jitter: 0.1,
        concurrency: 32,
        rise: 2,
        fall: 3,
        healthPath: '/',
        loadPath: defaultLoadReportPath,
        latencyScaleMs: 100,
        etagLoadThreshold: 0.1,
        historyRounds: 300,
        token: undefined,
        now: true,
        random: true,
        transport: undefined,
      },
    );
  });

  test('normalizes servers: ids default to the URL without trailing slash', () => {
    const { servers } = withOption({
      servers: ['http://A:80/', { url: 'https://b/app/', id: 'b', draining: true }],
    });
    assert.deepEqual(servers, [
      { id: 'http://a', url: 'http://a', draining: false },
      { id: 'b', url: 'https://b/app', draining: true },
    ]);
  });

  test('accepts the longest timer, 2^31 - 1 ms, for both durations', () => {
    const options = withOption({ intervalMs: 2 ** 31 - 1, timeoutMs: 2 ** 31 - 1 });
    assert.deepEqual([options.intervalMs, options.timeoutMs], [2 ** 31 - 1, 2 ** 31 - 1]);
  });

  test('loadPath false disables load reports', () => {
    assert.equal(withOption({ loadPath: false }).loadPath, false);
  });

  const invalid: [Record<string, unknown>, typeof TypeError | typeof RangeError, RegExp][] = [
    [{ intervalMs: 0 }, RangeError, /`intervalMs` to be an integer >= 1, got `0` \(number\)/],
    [{ intervalMs: 1.5 }, TypeError, /`intervalMs`.*`1.5` \(number\)/],
    [{ timeoutMs: 2000 }, RangeError, /`timeoutMs` \(2000\) to be at most `intervalMs` \(1000\)/],
    // A setTimeout longer than 2^31 - 1 ms fires after 1 ms: probing would spin, timeouts would be 1 ms.
    [
      { intervalMs: 2 ** 31 },
      RangeError,
      /`intervalMs` to be an integer >= 1 and <= 2147483647 \(ms\), got `2147483648` \(number\)/,
    ],
    [
      { intervalMs: 2 ** 31 - 1, timeoutMs: 2 ** 31 },
      RangeError,
      /`timeoutMs` to be an integer >= 1 and <= 2147483647 \(ms\), got `2147483648`/,
    ],
    [
      { intervalMs: 2 ** 32, timeoutMs: 2 ** 31 },
      RangeError,
      /`intervalMs` to be an integer >= 1 and <= 2147483647 \(ms\), got `4294967296`/,
    ],
    [{ jitter: 1 }, RangeError, /`jitter` to be a number >= 0 and < 1, got `1`/],
    [{ jitter: '0.1' }, TypeError, /`jitter`/],
    [{ concurrency: 0 }, RangeError, /`concurrency`/],
    [{ rise: 0 }, RangeError, /`rise`/],
    [{ fall: -1 }, RangeError, /`fall`/],
    [{ healthPath: 'health' }, TypeError, /`healthPath` to be a path starting with `\/`/],
    [{ healthPath: '/a b' }, TypeError, /`healthPath`/],
    [{ healthPath: '/a#b' }, TypeError, /`healthPath`/],
    [{ loadPath: true }, TypeError, /`loadPath`/],
    [{ latencyScaleMs: 0 }, RangeError, /`latencyScaleMs` to be a number > 0/],
    [{ token: '' }, TypeError, /`token`/],
    [{ token: 'has space' }, TypeError, /`token`/],
    [{ now: 5 }, TypeError, /`now` to be a function/],
    [{ transport: {} }, TypeError, /`transport` to be an object with `get\(\)`/],
    [{ interval: 5 }, TypeError, /Unknown option `interval`/],
    [{ servers: 'http://a' }, TypeError, /`servers` to be an array/],
    [{ servers: ['ftp://a'] }, TypeError, /`servers\[0\]` to be an absolute http\(s\) base URL/],
    [{ servers: ['http://a/?x=1'] }, TypeError, /`servers\[0\]`.*without query or hash/],
    [{ servers: ['http://user:pw@a'] }, TypeError, /without credentials/],
    [{ servers: [{ url: 'http://a', id: '' }] }, TypeError, /`servers\[0\]\.id` to be a non-empty string/],
    [
      { servers: [{ url: 'http://a', draining: 'yes' }] },
      TypeError,
      /`servers\[0\]\.draining` to be a boolean/,
    ],
    [{ servers: [{ url: 'http://a', weight: 2 }] }, TypeError, /Unknown option `servers\[0\]\.weight`/],
    [{ servers: ['http://a/', 'http://a'] }, TypeError, /distinct URLs, got `http:\/\/a` twice/],
    [
      {
        servers: [
          { url: 'http://a', id: 'x' },
          { url: 'http://b', id: 'x' },
        ],
      },
      TypeError,
      /distinct ids/,
    ],
    [{ servers: [`http://a/${'p'.repeat(3000)}`] }, TypeError, /at most 2048 characters/],
  ];
  for (const [options, type, message] of invalid) {
    test(`rejects ${JSON.stringify(options).slice(0, 70)} with a ${type.name}`, () => {
      throwsWith(() => withOption(options), type, message);
    });
  }

  test('never echoes an invalid token in the message', () => {
    throwsWith(() => withOption({ token: 'secret value' }), TypeError, /^(?!.*secret)/);
  });

  test('rejects options that are not an object', () => {
    throwsWith(() => normalizeMonitorOptions(undefined), TypeError, /`options` to be an object/);
  });

  test('a `__proto__` key in the options is an unknown option, not a prototype', () => {
    const options = JSON.parse('{"servers": [], "__proto__": {"intervalMs": 5}}') as unknown;
    throwsWith(() => normalizeMonitorOptions(options), TypeError, /Unknown option `__proto__`/);
  });
});
