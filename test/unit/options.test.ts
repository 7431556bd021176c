import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LeastBusyPolicy } from '../../src/balancer/policies/least-busy.js';
import { normalizeOptions } from '../../src/client/options.js';
import { firstEligible } from './helpers.js';

const wsdlUrl = 'http://a:1/svc?wsdl';
const servers = ['http://a:1', 'http://b:1'];

/** normalizeOptions with valid servers and `extra` merged in. */
function withOption(extra: Record<string, unknown>): ReturnType<typeof normalizeOptions> {
  return normalizeOptions(wsdlUrl, { servers, ...extra });
}

function throwsWith(fn: () => unknown, type: typeof TypeError | typeof RangeError, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    assert.equal(error.constructor, type);
    assert.match(error.message, message);
    return true;
  });
}

describe('normalizeOptions: defaults', () => {
  test('fills in every default for minimal valid options', () => {
    const options = normalizeOptions(wsdlUrl, { servers });
    assert.equal(options.wsdlUrl, wsdlUrl);
    assert.deepEqual(options.servers, servers);
    assert.equal(options.maxAttempts, 3);
    assert.equal(options.timeoutMs, 30_000);
    assert.equal(options.downBackoffMs, 1000);
    assert.equal(options.maxDownBackoffMs, 30_000);
    assert.ok(options.policy instanceof LeastBusyPolicy);
    assert.equal(options.policy.name, 'least-busy');
    assert.deepEqual(options.soap, {});
    assert.equal(options.name, new URL(wsdlUrl).pathname);
    assert.equal(options.isIdempotent('Add'), false);
    assert.equal(options.isIdempotent(undefined), false);
  });

  test('normalizes the server bases (trailing slash, host case, default port)', () => {
    const options = normalizeOptions(wsdlUrl, { servers: ['http://A:80/', 'https://b:443/app/'] });
    assert.deepEqual(options.servers, ['http://a', 'https://b/app']);
  });

  test('keeps the values given', () => {
    const soap = { disableCache: false };
    const options = withOption({
      maxAttempts: 5,
      timeoutMs: 100,
      downBackoffMs: 10,
      maxDownBackoffMs: 10,
      policy: firstEligible,
      soap,
    });
    assert.deepEqual(
      [options.maxAttempts, options.timeoutMs, options.downBackoffMs, options.maxDownBackoffMs],
      [5, 100, 10, 10],
    );
    assert.equal(options.policy, firstEligible);
    assert.equal(options.soap, soap);
  });
});

describe('normalizeOptions: idempotent', () => {
  test('true makes every call idempotent, WSDL fetches included', () => {
    const { isIdempotent } = withOption({ idempotent: true });
    assert.equal(isIdempotent('Add'), true);
    assert.equal(isIdempotent(undefined), true);
  });

  test('an array makes only the operations named idempotent', () => {
    const { isIdempotent } = withOption({ idempotent: ['Add', 'Multiply'] });
    assert.equal(isIdempotent('Add'), true);
    assert.equal(isIdempotent('Other'), false);
    assert.equal(isIdempotent(undefined), false);
  });

  test('a function is asked per operation, and only a true answer counts', () => {
    const asked: string[] = [];
    const { isIdempotent } = withOption({
      idempotent: (operation: string) => {
        asked.push(operation);
        return operation === 'Add' ? true : operation === 'Truthy' ? 1 : false;
      },
    });
    assert.equal(isIdempotent('Add'), true);
    assert.equal(isIdempotent('Divide'), false);
    assert.equal(isIdempotent('Truthy'), false);
    assert.equal(isIdempotent(undefined), false);
    assert.deepEqual(asked, ['Add', 'Divide', 'Truthy']);
  });

  test('a value of the wrong type is a TypeError naming it', () => {
    throwsWith(() => withOption({ idempotent: 'yes' }), TypeError, /`idempotent`.*`yes` \(string\)/);
    throwsWith(
      () => withOption({ idempotent: ['Add', 1] }),
      TypeError,
      /`idempotent`.*`\["Add",1\]` \(array\)/,
    );
  });
});

describe('normalizeOptions: invalid options', () => {
  test('options that are not an object are a TypeError', () => {
    throwsWith(() => normalizeOptions(wsdlUrl, 'x'), TypeError, /`options`.*`x` \(string\)/);
    throwsWith(() => normalizeOptions(wsdlUrl, null), TypeError, /`options`.*`null`/);
    throwsWith(() => normalizeOptions(wsdlUrl, [servers]), TypeError, /`options`.*\(array\)/);
  });

  test('an unknown option (a typo) is a TypeError naming it', () => {
    throwsWith(() => withOption({ maxAttempt: 2 }), TypeError, /Unknown option `maxAttempt`/);
  });

  test('an own __proto__ key is rejected as unknown and pollutes nothing', () => {
    const options: unknown = JSON.parse('{"servers":["http://a"],"__proto__":{"x":1}}');
    throwsWith(() => normalizeOptions(wsdlUrl, options), TypeError, /Unknown option `__proto__`/);
    assert.equal(({} as Record<string, unknown>).x, undefined);
    assert.equal(Object.hasOwn(Object.prototype, 'x'), false);
  });

  test('servers must be a non-empty array', () => {
    throwsWith(() => withOption({ servers: [] }), TypeError, /`servers`.*`\[\]` \(array\)/);
    throwsWith(() => withOption({ servers: 'http://a' }), TypeError, /`servers`.*`http:\/\/a` \(string\)/);
    throwsWith(() => normalizeOptions(wsdlUrl, {}), TypeError, /`servers`.*`undefined` \(undefined\)/);
  });

  test('every server must be an absolute http(s) URL', () => {
    throwsWith(
      () => withOption({ servers: ['http://a', 'nope'] }),
      TypeError,
      /`servers\[1\]`.*`nope` \(string\)/,
    );
    throwsWith(
      () => withOption({ servers: ['ftp://a'] }),
      TypeError,
      /`servers\[0\]`.*`ftp:\/\/a` \(string\)/,
    );
    throwsWith(() => withOption({ servers: [42] }), TypeError, /`servers\[0\]`.*`42` \(number\)/);
  });

  test('a server with a query or hash is a TypeError', () => {
    throwsWith(
      () => withOption({ servers: ['http://a/?x=1'] }),
      TypeError,
      /`servers\[0\]`.*query.*`http:\/\/a\/\?x=1`/,
    );
    throwsWith(() => withOption({ servers: ['http://a/#top'] }), TypeError, /`servers\[0\]`.*hash/);
  });

  test('duplicate servers are a TypeError, also when they differ only before normalization', () => {
    throwsWith(() => withOption({ servers: ['http://a', 'http://a'] }), TypeError, /distinct.*`http:\/\/a`/);
    throwsWith(
      () => withOption({ servers: ['http://a:1/', 'http://a:1'] }),
      TypeError,
      /distinct.*`http:\/\/a:1`/,
    );
    throwsWith(() => withOption({ servers: ['http://A:80', 'http://a/'] }), TypeError, /distinct/);
  });

  test('wsdlUrl must be an absolute http(s) URL', () => {
    throwsWith(
      () => normalizeOptions('svc?wsdl', { servers }),
      TypeError,
      /`wsdlUrl`.*`svc\?wsdl` \(string\)/,
    );
    throwsWith(() => normalizeOptions('file:///x.wsdl', { servers }), TypeError, /`wsdlUrl`/);
    throwsWith(() => normalizeOptions(undefined, { servers }), TypeError, /`wsdlUrl`.*`undefined`/);
  });

  test('name (the client label of the metrics) must be a string of 1 to 200 characters', () => {
    assert.equal(normalizeOptions(wsdlUrl, { servers, name: 'billing' }).name, 'billing');
    for (const name of ['', 'x'.repeat(201), 42]) {
      assert.throws(() => normalizeOptions(wsdlUrl, { servers, name }), {
        name: 'TypeError',
        message: /^Expected `name` to be a string of 1 to 200 characters, got /,
      });
    }
  });

  test('maxAttempts 0 is a RangeError naming the option and value', () => {
    throwsWith(() => withOption({ maxAttempts: 0 }), RangeError, /`maxAttempts`.*`0` \(number\)/);
  });

  test('a non-integer or non-number count is a TypeError', () => {
    throwsWith(() => withOption({ maxAttempts: 1.5 }), TypeError, /`maxAttempts`.*`1\.5` \(number\)/);
    throwsWith(() => withOption({ maxAttempts: '3' }), TypeError, /`maxAttempts`.*`3` \(string\)/);
    throwsWith(() => withOption({ timeoutMs: Number.NaN }), TypeError, /`timeoutMs`.*`NaN` \(number\)/);
    throwsWith(
      () => withOption({ timeoutMs: Number.POSITIVE_INFINITY }),
      TypeError,
      /`timeoutMs`.*`Infinity` \(number\)/,
    );
  });

  test('a negative timeoutMs or backoff is a RangeError', () => {
    throwsWith(() => withOption({ timeoutMs: -1 }), RangeError, /`timeoutMs`.*`-1` \(number\)/);
    throwsWith(() => withOption({ downBackoffMs: 0 }), RangeError, /`downBackoffMs`.*`0` \(number\)/);
    throwsWith(() => withOption({ maxDownBackoffMs: -5 }), RangeError, /`maxDownBackoffMs`.*`-5` \(number\)/);
  });

  test('a duration beyond what a timer can hold (2^31 - 1 ms) is a RangeError, not a 1 ms timer', () => {
    for (const name of ['timeoutMs', 'fetchTimeoutMs', 'maxDownBackoffMs']) {
      throwsWith(() => withOption({ [name]: 2 ** 31 }), RangeError, new RegExp(`\`${name}\`.*2147483647`));
    }
    throwsWith(
      () => withOption({ monitor: { url: 'http://m/status', timeoutMs: 2 ** 31 } }),
      RangeError,
      /`monitor.timeoutMs`/,
    );
    throwsWith(
      () => withOption({ monitor: { url: 'http://m/status', ttlMs: 2 ** 40, maxAgeMs: 2 ** 41 } }),
      RangeError,
      /`monitor.ttlMs`/,
    );
    assert.equal(withOption({ timeoutMs: 2 ** 31 - 1 }).timeoutMs, 2 ** 31 - 1);
  });

  test('downBackoffMs above maxDownBackoffMs is a RangeError naming both values', () => {
    throwsWith(
      () => withOption({ downBackoffMs: 5000, maxDownBackoffMs: 4000 }),
      RangeError,
      /`downBackoffMs` \(5000\).*`maxDownBackoffMs` \(4000\)/,
    );
    throwsWith(() => withOption({ downBackoffMs: 60_000 }), RangeError, /\(60000\).*\(30000\)/);
  });

  test('a policy without pick() or name is a TypeError', () => {
    throwsWith(() => withOption({ policy: { name: 'x' } }), TypeError, /`policy`.*got an? object/);
    throwsWith(() => withOption({ policy: { pick: () => undefined } }), TypeError, /`policy`/);
    throwsWith(() => withOption({ policy: 'least-busy' }), TypeError, /`policy`.*`least-busy` \(string\)/);
  });

  test('soap must be an object', () => {
    throwsWith(() => withOption({ soap: 'x' }), TypeError, /`soap`.*`x` \(string\)/);
    throwsWith(() => withOption({ soap: [] }), TypeError, /`soap`.*\(array\)/);
  });

  test('soap.httpClient must have a request() method', () => {
    throwsWith(
      () => withOption({ soap: { httpClient: {} } }),
      TypeError,
      /`soap\.httpClient`.*`request\(\)`/,
    );
    throwsWith(() => withOption({ soap: { httpClient: null } }), TypeError, /`soap\.httpClient`.*`null`/);
    const httpClient = { request: () => undefined };
    assert.equal(withOption({ soap: { httpClient } }).soap.httpClient, httpClient);
  });
});

describe('normalizeOptions: allow', () => {
  const allows = (options: Record<string, unknown>, url: string): boolean => withOption(options).allow(url);

  test('by default, only the origins of wsdlUrl and servers', () => {
    assert.equal(allows({}, 'http://a:1'), true);
    assert.equal(allows({}, 'http://b:1/prefix'), true);
    assert.equal(allows({}, 'http://b:2'), false, 'another port is another origin');
    assert.equal(allows({}, 'https://a:1'), false);
    assert.equal(allows({}, 'http://evil.example'), false);
  });

  test('patterns: a * label, a * port, the scheme’s default port, a path prefix', () => {
    const allow = [
      'https://*.calc.internal:8443',
      'http://10.0.0.*:*',
      'http://plain.example',
      'http://h:80/app',
    ];
    assert.equal(allows({ allow }, 'https://r1.calc.internal:8443'), true);
    assert.equal(allows({ allow }, 'https://r1.calc.internal:9443'), false);
    assert.equal(allows({ allow }, 'https://a.b.calc.internal:8443'), false, 'a * is one label');
    assert.equal(allows({ allow }, 'http://10.0.0.7:8000'), true);
    assert.equal(allows({ allow }, 'http://10.0.1.7:8000'), false);
    assert.equal(allows({ allow }, 'http://plain.example:80'), true);
    assert.equal(allows({ allow }, 'http://plain.example:8080'), false);
    assert.equal(allows({ allow }, 'http://h/app/v2'), true);
    assert.equal(allows({ allow }, 'http://h/application'), false);
  });

  test('a predicate decides; one that throws denies', () => {
    assert.equal(allows({ allow: (url: URL) => url.port === '9' }, 'http://x:9'), true);
    assert.equal(allows({ allow: (url: URL) => url.port === '9' }, 'http://x:8'), false);
    assert.equal(
      allows(
        {
          allow: () => {
            throw new Error('no');
          },
        },
        'http://x:9',
      ),
      false,
    );
    assert.equal(allows({ allow: () => 'yes' }, 'http://x:9'), false, 'only `true` allows');
  });

  test('an invalid pattern is a TypeError naming it', () => {
    throwsWith(() => withOption({ allow: ['ftp://x'] }), TypeError, /`allow\[0\]`.*`ftp:\/\/x`/);
    throwsWith(() => withOption({ allow: ['http://x:*', 'http://x?y'] }), TypeError, /`allow\[1\]`/);
    throwsWith(() => withOption({ allow: 'http://x' }), TypeError, /`allow`/);
  });
});

describe('normalizeOptions: monitor', () => {
  const monitorUrl = 'http://monitor:8700/status';

  test('a monitor alone is enough: servers default to none, and the monitor fields to their defaults', () => {
    const options = normalizeOptions(wsdlUrl, { monitor: { url: monitorUrl } });
    assert.deepEqual(options.servers, []);
    assert.deepEqual(options.monitor, {
      url: monitorUrl,
      token: undefined,
      ttlMs: 1000,
      maxAgeMs: 10_000,
      timeoutMs: 2000,
    });
  });

  test('the monitor’s base URL stands for its status API; any other path is kept', () => {
    const urlOf = (url: string) => normalizeOptions(wsdlUrl, { monitor: { url } }).monitor?.url;
    assert.equal(urlOf('http://m:8700'), 'http://m:8700/status');
    assert.equal(urlOf('http://m:8700/'), 'http://m:8700/status');
    assert.equal(urlOf('https://gw/monitoring/status'), 'https://gw/monitoring/status');
  });

  test('neither servers nor a monitor is an error naming both', () => {
    assert.throws(() => normalizeOptions(wsdlUrl, {}), {
      name: 'TypeError',
      message: /`servers`.*`monitor`/,
    });
  });

  test('rejects invalid monitor fields, naming them', () => {
    const cases: [unknown, string, RegExp][] = [
      ['http://monitor', 'TypeError', /`monitor` to be an object/],
      [{ url: 'ftp://x/status' }, 'TypeError', /`monitor.url`/],
      [{ url: monitorUrl, token: '' }, 'TypeError', /`monitor.token`/],
      [{ url: monitorUrl, ttlMs: 0 }, 'RangeError', /`monitor.ttlMs`.*`0` \(number\)/],
      [{ url: monitorUrl, ttlMs: 5000, maxAgeMs: 1000 }, 'RangeError', /`monitor.maxAgeMs`.*`monitor.ttlMs`/],
      [{ url: monitorUrl, timeoutMs: 'fast' }, 'TypeError', /`monitor.timeoutMs`/],
      [{ url: monitorUrl, ttl: 5 }, 'TypeError', /Unknown option `monitor.ttl`/],
    ];
    for (const [monitor, name, message] of cases) {
      assert.throws(() => normalizeOptions(wsdlUrl, { monitor }), { name, message }, JSON.stringify(monitor));
    }
  });
});
