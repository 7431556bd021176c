import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  classifyError,
  headerReader,
  judgeAnswer,
  parseRetryAfter,
} from '../../src/transport/classify-failure.js';
import { transportError } from './helpers.js';

describe('classifyError', () => {
  for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN', 'ENETUNREACH']) {
    test(`${code} means the server was unreachable`, () => {
      assert.equal(classifyError(transportError(code)), 'unreachable');
    });
  }

  for (const code of ['ECONNRESET', 'EPIPE']) {
    test(`${code} means the connection was reset`, () => {
      assert.equal(classifyError(transportError(code)), 'reset');
    });
  }

  test('ETIMEDOUT from connect() is unreachable, any other ETIMEDOUT is a timeout', () => {
    assert.equal(classifyError(transportError('ETIMEDOUT', { syscall: 'connect' })), 'unreachable');
    assert.equal(classifyError(transportError('ETIMEDOUT', { syscall: 'read' })), 'timeout');
    assert.equal(classifyError(transportError('ETIMEDOUT')), 'timeout');
  });

  test('ECONNABORTED (axios timeout) is a timeout', () => {
    assert.equal(classifyError(transportError('ECONNABORTED')), 'timeout');
  });

  test('finds the code on error.cause, as axios wraps it', () => {
    const wrapped = new Error('Network Error', { cause: transportError('ECONNREFUSED') });
    assert.equal(classifyError(wrapped), 'unreachable');
    const axiosLike = Object.assign(new Error('Network Error', { cause: transportError('EPIPE') }), {
      code: 'ERR_NETWORK',
    });
    assert.equal(classifyError(axiosLike), 'reset');
  });

  test('finds the connect syscall on error.cause for a wrapped ETIMEDOUT', () => {
    const wrapped = Object.assign(new Error('timeout'), {
      code: 'ETIMEDOUT',
      cause: Object.assign(new Error('connect ETIMEDOUT'), { syscall: 'connect' }),
    });
    assert.equal(classifyError(wrapped), 'unreachable');
  });

  test('a body cut short after the headers ("stream has been aborted") is a reset', () => {
    const aborted = Object.assign(new Error('stream has been aborted'), { code: 'ERR_BAD_RESPONSE' });
    assert.equal(classifyError(aborted), 'reset');
  });

  test('a response over maxContentLength is not a transport failure', () => {
    const tooBig = Object.assign(new Error('maxContentLength size of 10 exceeded'), {
      code: 'ERR_BAD_RESPONSE',
    });
    assert.equal(classifyError(tooBig), undefined);
  });

  test('an ERR_CANCELED abort is not a transport failure', () => {
    assert.equal(classifyError(transportError('ERR_CANCELED')), undefined);
  });

  test('an error without a code, or a non-error, is not a transport failure', () => {
    assert.equal(classifyError(new Error('boom')), undefined);
    assert.equal(classifyError(undefined), undefined);
    assert.equal(classifyError(null), undefined);
    assert.equal(classifyError('ECONNREFUSED'), undefined);
    assert.equal(classifyError(Object.assign(new Error('x'), { code: 111 })), undefined);
  });
});

describe('judgeAnswer', () => {
  const none = headerReader({});
  const fault =
    '<?xml version="1.0"?>\n<!-- from the service -->\n<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">' +
    '<env:Body><env:Fault/></env:Body></env:Envelope>';

  test('2xx to 4xx answers (but 429) are the service’s answer', () => {
    for (const status of [200, 202, 400, 404, 415]) assert.equal(judgeAnswer(status, none, 'x'), undefined);
  });

  test('503 and 429 are rejections, with their Retry-After', () => {
    assert.deepEqual(judgeAnswer(503, none, fault), { failure: 'rejected', status: 503 });
    assert.deepEqual(judgeAnswer(429, headerReader({ 'retry-after': '2' }), ''), {
      failure: 'rejected',
      status: 429,
      retryAfterMs: 2000,
    });
  });

  test('502 and 504 are gateway errors, whatever the body', () => {
    for (const status of [502, 504]) {
      assert.deepEqual(judgeAnswer(status, none, fault), { failure: 'gateway-error', status });
    }
  });

  test('a 5xx carrying a SOAP envelope (1.1 or 1.2, any prefix, or none) is the service’s answer', () => {
    assert.equal(judgeAnswer(500, none, fault), undefined);
    assert.equal(judgeAnswer(500, none, Buffer.from('<Envelope xmlns="x"><Body/></Envelope>')), undefined);
    assert.equal(
      judgeAnswer(500, headerReader({ 'content-type': 'multipart/related; type=x' }), ''),
      undefined,
    );
  });

  test('a 5xx without a SOAP envelope (an HTML page, empty, plain text) is a server error', () => {
    for (const body of ['<html><body>Internal Server Error</body></html>', '', 'oops', '<EnvelopeX/>']) {
      assert.deepEqual(judgeAnswer(500, none, body), { failure: 'server-error', status: 500 }, body);
    }
    assert.deepEqual(judgeAnswer(501, none, 'no'), { failure: 'server-error', status: 501 });
  });

  test('a streamed 5xx is judged by its content type', () => {
    const xml = headerReader({ 'content-type': 'text/xml; charset=utf-8' });
    const html = headerReader({ 'content-type': 'text/html' });
    assert.equal(judgeAnswer(500, xml, undefined), undefined);
    assert.deepEqual(judgeAnswer(500, html, undefined), { failure: 'server-error', status: 500 });
  });
});

describe('parseRetryAfter', () => {
  test('reads delay-seconds and HTTP dates; ignores anything else', () => {
    const now = Date.parse('2026-12-01T00:00:00Z');
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Tue, 01 Dec 2026 00:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Mon, 30 Nov 2026 00:00:00 GMT', now), 0, 'a date in the past: no wait');
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter('-5', now), undefined);
  });
});
