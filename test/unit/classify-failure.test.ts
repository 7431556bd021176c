import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyError, isUnavailableStatus } from '../../src/transport/classify-failure.js';
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

describe('isUnavailableStatus', () => {
  for (const status of [502, 503, 504]) {
    test(`${status} means the server is unavailable`, () => {
      assert.equal(isUnavailableStatus(status), true);
    });
  }

  test('200, 404, 500, 501 and 505 are answers, not unavailability', () => {
    for (const status of [200, 404, 500, 501, 505])
      assert.equal(isUnavailableStatus(status), false, `${status}`);
  });
});
