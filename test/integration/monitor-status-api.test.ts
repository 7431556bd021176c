import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { ErrorCode, isSoapBalancerError } from '../../src/errors.js';
import { parseStatusSnapshot } from '../../src/status/schema.js';
import {
  FakeTransport,
  fastProbing,
  jsonAnswer,
  loadReport,
  monitorFor,
  sendJson,
  waitFor,
} from '../helpers/monitor.js';
import { startPlainServer } from '../helpers/servers.js';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** The body as received (not decoded). */
  readonly raw: Buffer;
}

/** One request on a fresh connection (no agent), so that closing the monitor is not held up by ours. */
function call(
  url: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: options.method ?? 'GET',
      headers: options.headers ?? {},
      agent: false,
    });
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: raw.toString(), raw });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function replica(t: Parameters<typeof startPlainServer>[0]) {
  return startPlainServer(t, (_request, response) => sendJson(response, 200, loadReport({ inFlight: 1 })));
}

test('GET /status serves the snapshot as JSON, with an ETag and no-cache', async (t) => {
  const server = await replica(t);
  const monitor = monitorFor(t, { servers: [server.url], ...fastProbing });
  await monitor.start();
  const { url } = await monitor.listen({ port: 0 });
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/status$/);

  const answer = await call(url);

  assert.equal(answer.status, 200);
  assert.equal(answer.headers['content-type'], 'application/json');
  assert.equal(answer.headers['cache-control'], 'no-cache');
  assert.match(String(answer.headers.etag), /^W\/"[\w-]+"$/);
  const snapshot = parseStatusSnapshot(JSON.parse(answer.body));
  assert.equal(snapshot.servers[0]?.state, 'up');
  assert.equal(snapshot.servers[0]?.loadSource, 'report');
});

test('If-None-Match with the current ETag gets a 304 without body, until the snapshot changes', async (t) => {
  // A fixed clock and constant latencies: rounds go on, but the content (and so the ETag) stays the same.
  const transport = new FakeTransport(() => jsonAnswer(loadReport()));
  const monitor = monitorFor(t, {
    servers: [{ url: 'http://r:1', id: 'r' }],
    transport,
    now: () => 0,
    ...fastProbing,
  });
  await monitor.start();
  const { url } = await monitor.listen({ port: 0 });
  const first = await call(url);
  const etag = String(first.headers.etag);
  const probes = transport.requests.length;
  await waitFor(() => transport.requests.length > probes + 1, 'two more rounds');

  const revalidated = await call(url, { headers: { 'If-None-Match': `"other", ${etag.slice(2)}` } });
  assert.equal(revalidated.status, 304);
  assert.equal(revalidated.body, '');
  assert.equal(revalidated.headers.etag, etag);
  assert.equal(revalidated.headers['cache-control'], 'no-cache');

  monitor.setDraining('r', true);
  const changed = await call(url, { headers: { 'If-None-Match': etag } });
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.etag, etag);
  assert.equal(JSON.parse(changed.body).servers[0].state, 'draining');
  assert.equal((await call(url, { headers: { 'If-None-Match': String(changed.headers.etag) } })).status, 304);
});

test('rounds with only latency jitter keep the ETag (304 to a poller); a server going down changes it', async (t) => {
  // Real clock and a latency that differs every probe: each round's body is new (check times, latencies).
  let probes = 0;
  let failing = false;
  const transport = new FakeTransport(() =>
    failing ? new Error('refused') : { ...jsonAnswer(loadReport()), latencyMs: 5 + (probes++ % 7) },
  );
  const monitor = monitorFor(t, {
    servers: [{ url: 'http://r:1', id: 'r' }],
    transport,
    fall: 1,
    ...fastProbing,
  });
  await monitor.start();
  const { url } = await monitor.listen({ port: 0 });
  const first = await call(url);
  const etag = String(first.headers.etag);

  await waitFor(async () => (await call(url)).body !== first.body, 'a round with a new body');
  const revalidated = await call(url, { headers: { 'If-None-Match': etag } });
  assert.equal(revalidated.status, 304, 'latency jitter is not a new ETag');
  assert.equal((await call(url)).headers.etag, etag);

  failing = true;
  const down = await waitFor(async () => {
    const answer = await call(url, { headers: { 'If-None-Match': etag } });
    return answer.status === 200 ? answer : undefined;
  }, 'the ETag to change');
  assert.notEqual(down.headers.etag, etag);
  assert.equal(JSON.parse(down.body).servers[0].state, 'down');
});

test('GET /status is gzipped for a client that accepts gzip, and smaller', async (t) => {
  const transport = new FakeTransport(() => jsonAnswer(loadReport()));
  const servers = Array.from({ length: 20 }, (_, i) => ({ url: `http://r${i}:1`, id: `r${i}` }));
  const monitor = monitorFor(t, { servers, transport, ...fastProbing });
  await monitor.start();
  const { url } = await monitor.listen({ port: 0 });

  const plain = await call(url);
  const zipped = await call(url, { headers: { 'Accept-Encoding': 'br;q=1, gzip;q=0.5' } });

  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.equal(zipped.headers.vary, 'Accept-Encoding');
  assert.equal(Number(zipped.headers['content-length']), zipped.raw.length);
  assert.ok(zipped.raw.length < plain.raw.length, `${zipped.raw.length} < ${plain.raw.length} bytes`);
  const decoded = parseStatusSnapshot(JSON.parse(gunzipSync(zipped.raw).toString()));
  assert.deepEqual(decoded, parseStatusSnapshot(JSON.parse(plain.body)));
  const refused = await call(url, { headers: { 'Accept-Encoding': 'gzip;q=0, identity' } });
  assert.equal(refused.headers['content-encoding'], undefined, 'gzip;q=0 refuses gzip');
});

test('with a token, /status requires it as a bearer token; /healthz does not', async (t) => {
  const monitor = monitorFor(t, { servers: [], token: 's3cret-token' });
  const { url } = await monitor.listen({ port: 0 });

  for (const authorization of [
    undefined,
    'Bearer wrong',
    'Bearer s3cret-toke',
    'Basic s3cret-token',
    'Bearer',
  ]) {
    const answer = await call(url, {
      headers: authorization === undefined ? {} : { Authorization: authorization },
    });
    assert.equal(answer.status, 401, String(authorization));
    assert.match(String(answer.headers['www-authenticate']), /^Bearer/);
    assert.equal(answer.headers.etag, undefined, 'nothing about the snapshot leaks');
  }
  assert.equal((await call(url, { headers: { Authorization: 'Bearer s3cret-token' } })).status, 200);
  assert.equal((await call(url, { headers: { Authorization: 'bearer  s3cret-token' } })).status, 200);
  const health = await call(url.replace('/status', '/healthz'));
  assert.deepEqual([health.status, health.body], [200, 'ok']);

  const data = url.replace('/status', '/dashboard/data');
  assert.equal((await call(data)).status, 401, "the dashboard's data needs the token too");
  const authorized = await call(data, { headers: { Authorization: 'Bearer s3cret-token' } });
  assert.equal(authorized.status, 200);
  assert.deepEqual(JSON.parse(authorized.body).servers, []);
  const page = await call(url.replace('/status', '/'));
  assert.equal(page.status, 200, 'the page itself holds no data');
  assert.match(String(page.headers['content-security-policy']), /^default-src 'none'; script-src 'self'/);
  assert.doesNotMatch(page.body, /<script>|<style>|https?:\/\//, 'nothing inline, nothing from elsewhere');
});

test('other methods get 405 with Allow, other paths 404; HEAD is served without body', async (t) => {
  const monitor = monitorFor(t, { servers: [] });
  const { url } = await monitor.listen({ port: 0 });
  const post = await call(url, { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
  assert.equal((await call(url.replace('/status', '/nothing'))).status, 404);
  assert.equal((await call(url.replace('/status', '/status/x'))).status, 404);
  assert.equal((await call(`${url}?pretty=1`)).status, 200, 'a query string does not change the path');
  const head = await call(url, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.ok(Number(head.headers['content-length']) > 0);
});

test('servers added, drained and removed at run time show in /status', async (t) => {
  const [a, b] = [await replica(t), await replica(t)];
  const monitor = monitorFor(t, { servers: [{ url: a.url, id: 'a' }], ...fastProbing });
  await monitor.start();
  const { url } = await monitor.listen({ port: 0 });
  const states = async () =>
    (JSON.parse((await call(url)).body).servers as { id: string; state: string }[]).map(
      (s) => `${s.id}:${s.state}`,
    );

  monitor.addServer({ url: b.url, id: 'b' });
  assert.deepEqual(await states(), ['a:up', 'b:down']);
  await waitFor(async () => (await states()).includes('b:up'), 'b up in /status');
  monitor.setDraining(b.url, true);
  assert.deepEqual(await states(), ['a:up', 'b:draining']);
  monitor.removeServer('a');
  assert.deepEqual(await states(), ['b:draining']);
});

test('close() closes the status API, kept-alive connections included', async (t) => {
  const monitor = monitorFor(t, { servers: [] });
  const { url } = await monitor.listen({ port: 0 });
  const keptAlive = await fetch(url);
  assert.equal(keptAlive.status, 200);
  await keptAlive.text();
  await monitor.close();
  await assert.rejects(call(url), /ECONNREFUSED/);
});

test('listen() twice is refused; a port in use rejects and can be retried elsewhere', async (t) => {
  const first = monitorFor(t, { servers: [] });
  const { url } = await first.listen({ port: 0 });
  await assert.rejects(first.listen({ port: 0 }), (error: unknown) => {
    assert.ok(isSoapBalancerError(error), String(error));
    assert.equal(error.code, ErrorCode.AlreadyListening);
    return true;
  });
  const second = monitorFor(t, { servers: [] });
  await assert.rejects(second.listen({ port: Number(new URL(url).port) }), /EADDRINUSE/);
  assert.match((await second.listen({ port: 0 })).url, /\/status$/);
});
