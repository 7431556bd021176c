import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { defaultLoadReportPath } from '../../src/load-report/schema.js';
import { probeFailed } from '../../src/monitor/probe-failure.js';
import {
  Prober,
  type ProberSettings,
  type ReporterMemory,
  reporterRecheckRounds,
} from '../../src/monitor/prober.js';
import { FakeTransport, jsonAnswer, loadReport } from '../helpers/monitor.js';
import { assertSoapError } from './helpers.js';

const base = 'http://replica:8000';
const loadUrl = `${base}${defaultLoadReportPath}`;
const healthUrl = `${base}/health`;

function prober(transport: FakeTransport, settings: Partial<ProberSettings> = {}): Prober {
  return new Prober({
    transport,
    timeoutMs: 100,
    healthPath: '/health',
    loadPath: defaultLoadReportPath,
    ...settings,
  });
}

describe('Prober', () => {
  test('a valid report on the load path is a success carrying the report', async () => {
    const transport = new FakeTransport(() => ({ ...jsonAnswer(loadReport({ inFlight: 2 })), latencyMs: 4 }));
    const result = await prober(transport).probe(base, { skipReportRounds: 0 });
    assert.ok(result.ok);
    assert.equal(result.latencyMs, 4);
    assert.equal(result.report?.inFlight, 2);
    assert.deepEqual(transport.requests, [loadUrl]);
  });

  test('a 404 on the load path falls back to the health path, and is remembered', async () => {
    const transport = new FakeTransport((url) => (url === loadUrl ? { status: 404 } : { status: 204 }));
    const memory: ReporterMemory = { skipReportRounds: 0 };
    const probe = prober(transport);
    const first = await probe.probe(base, memory);
    assert.deepEqual(first, { ok: true, latencyMs: 1, report: undefined });
    for (let round = 1; round < reporterRecheckRounds; round++) await probe.probe(base, memory);
    assert.deepEqual(transport.requests.slice(0, 3), [loadUrl, healthUrl, healthUrl]);
    assert.equal(transport.requests.filter((url) => url === loadUrl).length, 1);
    await probe.probe(base, memory);
    assert.equal(
      transport.requests.filter((url) => url === loadUrl).length,
      2,
      `asked again after ${reporterRecheckRounds} rounds`,
    );
  });

  for (const [what, answer] of [
    ['not JSON', { status: 200, body: Buffer.from('<html/>') }],
    ['another report version', jsonAnswer({ ...loadReport(), version: 2 })],
    ['a truncated body', { ...jsonAnswer(loadReport()), truncated: true }],
    ['a 401', jsonAnswer(loadReport(), 401)],
  ] as const) {
    test(`${what} on the load path means no reporter: the health path decides`, async () => {
      const transport = new FakeTransport((url) => (url === loadUrl ? answer : { status: 200 }));
      const memory: ReporterMemory = { skipReportRounds: 0 };
      const result = await prober(transport).probe(base, memory);
      assert.deepEqual(result, { ok: true, latencyMs: 1, report: undefined });
      assert.ok(memory.skipReportRounds > 0);
    });
  }

  test('a 5xx on the load path fails the probe without falling back', async () => {
    const transport = new FakeTransport(() => ({ status: 503 }));
    const result = await prober(transport).probe(base, { skipReportRounds: 0 });
    assert.equal(result.ok, false);
    const error = assertSoapError(result.ok ? undefined : result.error, ErrorCode.ProbeFailed);
    assert.equal(error.message, `Probe GET ${loadUrl} failed: answered HTTP 503`);
    assert.deepEqual(transport.requests, [loadUrl]);
  });

  test('any health answer below 500 means alive, a 5xx fails the probe', async () => {
    const alive = await prober(new FakeTransport(() => ({ status: 404 }))).probe(base, {
      skipReportRounds: 0,
    });
    assert.equal(alive.ok, true);
    const transport = new FakeTransport((url) => (url === loadUrl ? { status: 404 } : { status: 500 }));
    const result = await prober(transport).probe(base, { skipReportRounds: 0 });
    assert.equal(result.ok, false);
    assert.deepEqual(transport.requests, [loadUrl, healthUrl]);
  });

  test('a transport error fails the probe with a typed error naming the URL, the error as cause', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const transport = new FakeTransport(() => refused);
    const result = await prober(transport).probe(base, { skipReportRounds: 0 });
    const error = assertSoapError(result.ok ? undefined : result.error, ErrorCode.ProbeFailed);
    assert.equal(error.message, `Probe GET ${loadUrl} failed: connection refused (ECONNREFUSED)`);
    assert.equal(error.cause, refused);
  });

  test('whatever a custom transport rejects with becomes a typed probe failure', async () => {
    const transport = new FakeTransport(() => ({}));
    transport.get = () => Promise.reject('not an Error');
    const result = await prober(transport).probe(base, { skipReportRounds: 0 });
    const error = assertSoapError(result.ok ? undefined : result.error, ErrorCode.ProbeFailed);
    assert.equal(error.message, `Probe GET ${loadUrl} failed: not an Error`);
    assert.equal(error.cause, 'not an Error');
    const failure = probeFailed(loadUrl, 'timed out');
    transport.get = () => Promise.reject(failure);
    const kept = await prober(transport).probe(base, { skipReportRounds: 0 });
    assert.equal(kept.ok ? undefined : kept.error, failure, 'a probe failure already is kept as is');
  });

  test('with loadPath false only the health path is probed', async () => {
    const transport = new FakeTransport(() => ({ status: 200 }));
    await prober(transport, { loadPath: false }).probe(base, { skipReportRounds: 0 });
    assert.deepEqual(transport.requests, [healthUrl]);
  });

  test('paths are appended to a base URL with a path prefix', async () => {
    const transport = new FakeTransport(() => ({ status: 404 }));
    await prober(transport).probe('http://proxy/app', { skipReportRounds: 0 });
    assert.deepEqual(transport.requests, [
      `http://proxy/app${defaultLoadReportPath}`,
      'http://proxy/app/health',
    ]);
  });
});
