import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { logicalPathUnder, normalizeBaseUrl, pathAndQuery } from '../../src/urls.js';

describe('logicalPathUnder', () => {
  test('the base itself is the logical path /', () => {
    assert.equal(logicalPathUnder('http://h:1', ['http://h:1']), '/');
    assert.equal(logicalPathUnder('http://h:1/', ['http://h:1']), '/');
  });

  test('base + path gives the path', () => {
    assert.equal(logicalPathUnder('http://h:1/svc/a', ['http://h:1']), '/svc/a');
    assert.equal(logicalPathUnder('http://h:1/app/svc', ['http://h:1/app']), '/svc');
  });

  test('base + query gives the query under /', () => {
    assert.equal(logicalPathUnder('http://h:1?wsdl', ['http://h:1']), '/?wsdl');
    assert.equal(logicalPathUnder('http://h:1/app?wsdl', ['http://h:1/app']), '/?wsdl');
    assert.equal(logicalPathUnder('http://h:1/svc?wsdl&x=1', ['http://h:1']), '/svc?wsdl&x=1');
  });

  test('http://h:1 does not match http://h:10/x', () => {
    assert.equal(logicalPathUnder('http://h:10/x', ['http://h:1']), undefined);
  });

  test('a /app base does not match /application', () => {
    assert.equal(logicalPathUnder('http://h:1/application/x', ['http://h:1/app']), undefined);
  });

  test('a URL under no base, or not a URL at all, gives undefined', () => {
    assert.equal(logicalPathUnder('http://other:1/x', ['http://h:1', 'http://h:2']), undefined);
    assert.equal(logicalPathUnder('relative.xsd', ['http://h:1']), undefined);
    assert.equal(logicalPathUnder('http://h:1/x', []), undefined);
  });

  test('the longest matching base wins, whatever the order of the bases', () => {
    const url = 'http://h:1/app/v2/svc';
    assert.equal(logicalPathUnder(url, ['http://h:1/app', 'http://h:1/app/v2']), '/svc');
    assert.equal(logicalPathUnder(url, ['http://h:1/app/v2', 'http://h:1/app']), '/svc');
    assert.equal(
      logicalPathUnder('http://h:1/app/v1/svc', ['http://h:1/app/v2', 'http://h:1/app']),
      '/v1/svc',
    );
  });
});

describe('normalizeBaseUrl', () => {
  test('strips one trailing slash from the origin or path', () => {
    assert.equal(normalizeBaseUrl(new URL('http://h:1/')), 'http://h:1');
    assert.equal(normalizeBaseUrl(new URL('http://h:1')), 'http://h:1');
    assert.equal(normalizeBaseUrl(new URL('http://h:1/app/')), 'http://h:1/app');
  });

  test('lower-cases the host and drops the default port, as URL does', () => {
    assert.equal(normalizeBaseUrl(new URL('http://H:80/app')), 'http://h/app');
    assert.equal(normalizeBaseUrl(new URL('https://h:443/')), 'https://h');
  });
});

describe('pathAndQuery', () => {
  test('returns the path and query of an absolute URL, without the hash', () => {
    assert.equal(pathAndQuery('http://h:1/a/b?c=d#e'), '/a/b?c=d');
    assert.equal(pathAndQuery('http://h:1'), '/');
  });

  test('returns undefined for text that is not an absolute URL', () => {
    assert.equal(pathAndQuery('not a url'), undefined);
    assert.equal(pathAndQuery('/relative/path'), undefined);
    assert.equal(pathAndQuery(''), undefined);
  });
});
