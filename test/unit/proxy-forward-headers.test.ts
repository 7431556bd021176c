import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endToEndHeaders } from '../../src/proxy/forward-headers.js';

test('hop-by-hop headers and those Connection names are dropped; the others pass', () => {
  assert.deepEqual(
    endToEndHeaders({
      connection: 'keep-alive',
      'keep-alive': 'timeout=5',
      host: 'proxy:8080',
      'transfer-encoding': 'chunked',
      'content-type': 'text/xml',
      soapaction: '"Add"',
    }),
    { 'content-type': 'text/xml', soapaction: '"Add"' },
  );
  assert.deepEqual(
    endToEndHeaders({ connection: 'Close, X-Trace ,x-hop', 'x-trace': '1', 'x-hop': '2', 'x-kept': '3' }),
    { 'x-kept': '3' },
  );
  assert.deepEqual(endToEndHeaders({ 'content-length': '10' }), { 'content-length': '10' });
});
