import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserFor } from '../helpers/browser.js';
import { monitorFor, patientProbing } from '../helpers/monitor.js';
import { startCalculators } from '../helpers/servers.js';

test('the dashboard shows every server, charts them, and updates by itself when one dies', async (t) => {
  const servers = await startCalculators(t, 3, { loadReport: true, capacity: 4 });
  const monitor = monitorFor(t, {
    servers: servers.map((s) => ({ url: s.url, id: s.name })),
    ...patientProbing,
    fall: 1,
  });
  await monitor.start();
  const { url } = await monitor.listen({ port: 0 });
  const origin = new URL(url).origin;
  const browser = await browserFor(t);
  const page = await browser.newPage();
  const requested: string[] = [];
  const problems: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));

  const answer = await page.goto(`${origin}/`);
  assert.equal(answer?.status(), 200);
  assert.match(String(answer?.headers()['content-security-policy']), /default-src 'none'/);

  await page.waitForFunction(
    `${JSON.stringify(servers.map((server) => server.name))}.every((id) =>
      document.querySelector('#servers tr[data-id="' + id + '"][data-state="up"]'))`,
    { timeout: 10_000 },
  );
  const rows = await page.$$eval('#servers tbody tr', (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())),
  );
  assert.deepEqual(
    rows.map((cells) => cells[0]),
    servers.map((server) => server.name),
  );
  assert.deepEqual(
    rows.map((cells) => cells[8]),
    servers.map((server) => server.url),
  );
  // Two rounds or more: each server has a line in the load chart.
  await page.waitForFunction(
    `new Set([...document.querySelectorAll('#load-chart polyline')].map((line) =>
      line.getAttribute('data-server'))).size === ${servers.length}`,
    { timeout: 10_000 },
  );

  const victim = servers[1]!;
  await victim.close();
  await page.waitForSelector(`#servers tr[data-id="${victim.name}"][data-state="down"]`, { timeout: 10_000 });
  const states = await page.$$eval('#servers tbody tr', (trs) =>
    trs.map((tr) => tr.getAttribute('data-state')),
  );
  assert.deepEqual(states, ['up', 'down', 'up']);
  const summary = await page.$eval('#summary', (node) => node.textContent);
  assert.match(String(summary), /^2 of 3 servers alive/);

  assert.deepEqual(problems, [], 'no script error, no CSP violation');
  assert.deepEqual(
    requested.filter((address) => !address.startsWith(`${origin}/`)),
    [],
    'the page asks nothing of any other origin',
  );
  assert.ok(requested.includes(`${origin}/dashboard/data`), 'it polls its data');
});

test('with a token, the page opens but shows figures only with #token=… in its URL, sent as a bearer token', async (t) => {
  const servers = await startCalculators(t, 1, { loadReport: true });
  const monitor = monitorFor(t, {
    servers: servers.map((s) => ({ url: s.url, id: s.name })),
    token: 'dash-token',
    ...patientProbing,
  });
  await monitor.start();
  const { url } = await monitor.listen({ port: 0 });
  const origin = new URL(url).origin;
  const browser = await browserFor(t);

  const without = await browser.newPage();
  await without.goto(`${origin}/`);
  await without.waitForSelector('#problem:not([hidden])', { timeout: 10_000 });
  assert.match(String(await without.$eval('#problem', (node) => node.textContent)), /#token=/);
  assert.equal(await without.$$eval('#servers tbody tr', (rows) => rows.length), 0);

  const withToken = await browser.newPage();
  const sent: (string | undefined)[] = [];
  withToken.on('request', (request) => {
    if (request.url() === `${origin}/dashboard/data`) sent.push(request.headers().authorization);
  });
  await withToken.goto(`${origin}/#token=dash-token`);
  await withToken.waitForSelector(`#servers tr[data-id="${servers[0]!.name}"][data-state="up"]`, {
    timeout: 10_000,
  });
  assert.equal(sent[0], 'Bearer dash-token');
  assert.ok(
    !(await withToken.$$eval('#problem', (nodes) => nodes.some((node) => !node.hasAttribute('hidden')))),
  );
});
