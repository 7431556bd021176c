// The three parts together, as the seed system has them: replicas reporting their load, the
// monitor watching them, and balanced clients asking the monitor upon request.
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { CalculatorServer } from '../../examples/calculator/server.js';
import {
  type BalancedSoapClient,
  createBalancedClient,
  createMonitor,
  type Monitor,
  type MonitorOptions,
  RoundRobinPolicy,
  type SelectionPolicy,
  type ServerInfo,
} from '../../src/index.js';
import { waitFor } from '../helpers/monitor.js';
import { startCalculators } from '../helpers/servers.js';

async function startMonitor(
  t: TestContext,
  servers: readonly CalculatorServer[],
  options: Partial<MonitorOptions> = {},
): Promise<{ monitor: Monitor; url: string }> {
  // Quick rounds, yet probes that tolerate a busy machine: a killed replica (connection refused) is
  // seen down in two rounds, while an alive one would need two stalls of 250 ms in a row.
  const monitor = createMonitor({
    servers: servers.map((server) => server.url),
    intervalMs: 250,
    timeoutMs: 250,
    rise: 1,
    fall: 2,
    healthPath: '/calculator?wsdl',
    ...options,
  });
  t.after(() => monitor.close());
  await monitor.start();
  const { url } = await monitor.listen({ port: 0 });
  return { monitor, url };
}

async function balancedClient(
  t: TestContext,
  wsdlUrl: string,
  monitorUrl: string,
  options: { policy?: SelectionPolicy; downBackoffMs?: number; maxDownBackoffMs?: number } = {},
): Promise<BalancedSoapClient> {
  const client = await createBalancedClient(wsdlUrl, {
    allow: ['http://127.0.0.1:*'],
    monitor: { url: monitorUrl, ttlMs: 20, maxAgeMs: 5_000 },
    idempotent: ['Add'],
    ...options,
  });
  t.after(() => client.close());
  return client;
}

/**
 * Runs `count` Add calls, `concurrency` at a time; returns who served each. Rejects if any call fails.
 * `during(i)` runs before call i.
 */
async function run(
  client: BalancedSoapClient,
  count: number,
  concurrency: number,
  during: (index: number) => void | Promise<void> = () => {},
): Promise<string[]> {
  const served: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      await during(index);
      served[index] = (await client.AddAsync({ a: index, b: 1 }))[0].server;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return served;
}

/** Keeps calling (calls are what make the client refresh its status) until `condition()` holds. */
async function callUntil(client: BalancedSoapClient, condition: () => boolean, what: string): Promise<void> {
  await waitFor(async () => condition() || ((await run(client, 6, 6)) && condition()), what);
}

/** The client's own record of `url`: what it sent there. */
function infoOf(client: BalancedSoapClient, url: string): ServerInfo {
  const info = client.balancer.servers().find((server) => server.url === url);
  assert.ok(info, `${url} is in the client's pool`);
  return info;
}

/** Resolves once the client has taken the monitor's word that `url` must get no more calls. */
function seenOut(client: BalancedSoapClient, url: string): () => boolean {
  let seen = false;
  client.balancer.on('serverDown', (event) => {
    if (event.source === 'status' && event.server === url) seen = true;
  });
  return () => seen;
}

test("the monitor's load steers calls away from a busy replica, which a load-blind policy does not", async (t) => {
  // No capacity limit: the busy replica answers new calls at once, so a call sent there is served and
  // counted (not stuck behind the busy ones), and only its reported load can keep calls away from it.
  const servers = await startCalculators(t, 3, { loadReport: true, delayMs: 5 });
  const busy = servers[0]!;
  busy.setDelay(60_000);
  const elsewhere = await createBalancedClient(busy.wsdlUrl, { servers: [busy.url] });
  t.after(() => elsewhere.close());
  for (let i = 0; i < 50; i++) elsewhere.AddAsync({ a: i, b: 0 }).catch(() => {});
  await waitFor(() => busy.calls.Add === 50, 'the busy replica to run 50 long calls');
  busy.setDelay(5);
  // Its first round reads the busy replica's report: 50 calls in flight, one slot.
  const { url } = await startMonitor(t, servers);

  const shareOfBusy = async (policy?: SelectionPolicy) => {
    const client = await balancedClient(t, servers[1]!.wsdlUrl, url, policy ? { policy } : {});
    const load = infoOf(client, busy.url).status?.load ?? 0;
    assert.ok(load >= 50, `the client took the busy replica's load from the monitor, got ${load}`);
    const served = await run(client, 60, 6);
    return served.filter((name) => name === busy.name).length;
  };

  // The measurement can tell: ignoring load, the busy replica gets its third.
  const blind = await shareOfBusy(new RoundRobinPolicy());
  assert.ok(blind >= 15, `round robin sent ${blind} of 60 calls to the busy replica`);
  const steered = await shareOfBusy();
  assert.ok(steered <= 3, `least busy sent ${steered} of 60 calls to the busy replica`);
});

test('a replica drained mid-run gets none of the calls made once the client has seen it; no call fails', async (t) => {
  const servers = await startCalculators(t, 3, { loadReport: true, delayMs: 5 });
  const { monitor, url } = await startMonitor(t, servers);
  const client = await balancedClient(t, servers[0]!.wsdlUrl, url);
  const victim = servers[2]!;
  const seen = seenOut(client, victim.url);
  assert.ok((await run(client, 60, 6)).includes(victim.name), 'the victim served calls before');

  // Drained, it goes on answering: only the monitor's word can keep calls away from it.
  monitor.setDraining(victim.url, true);
  await callUntil(client, seen, 'the client to see the drain');
  const after = await run(client, 120, 6);

  assert.equal(after.filter((name) => name === victim.name).length, 0, 'calls made after it was seen');
  assert.equal(new Set(after).size, 2, 'the other replicas shared them');
});

test('a replica killed mid-run gets no attempt once the client has seen it down; no call fails', async (t) => {
  const servers = await startCalculators(t, 3, { loadReport: true, delayMs: 5 });
  const { url } = await startMonitor(t, servers);
  // A 1 ms backoff: without the monitor's word, the client would try the dead replica again at once.
  const client = await balancedClient(t, servers[0]!.wsdlUrl, url, { downBackoffMs: 1, maxDownBackoffMs: 1 });
  const victim = servers[2]!;
  assert.ok((await run(client, 60, 6)).includes(victim.name), 'the victim served calls before');

  victim.kill();
  const seen = seenOut(client, victim.url);
  await callUntil(client, seen, 'the client to see the monitor mark it down');
  const attempts = ({ served, failed, inFlight }: ServerInfo) => served + failed + inFlight;
  const attemptsWhenSeen = attempts(infoOf(client, victim.url));
  const after = await run(client, 120, 6);

  assert.equal(after.length, 120, 'every call succeeded');
  assert.equal(attempts(infoOf(client, victim.url)), attemptsWhenSeen, 'attempts on it after it was seen');
});

test('a replica added to the monitor starts receiving calls', async (t) => {
  const servers = await startCalculators(t, 3, { loadReport: true });
  const { monitor, url } = await startMonitor(t, servers.slice(0, 2));
  const client = await balancedClient(t, servers[0]!.wsdlUrl, url);
  assert.ok(!(await run(client, 20, 4)).includes(servers[2]!.name), 'not in the pool yet');

  monitor.addServer(servers[2]!.url);
  await callUntil(
    client,
    () => client.balancer.servers().some((server) => server.url === servers[2]!.url && server.state === 'up'),
    'the client to learn of the new server',
  );
  const served = await run(client, 30, 6);
  assert.ok(served.includes(servers[2]!.name), 'the new server served calls');
});

test('the monitor killed mid-run: zero failed calls', async (t) => {
  const servers = await startCalculators(t, 3, { loadReport: true });
  const { monitor, url } = await startMonitor(t, servers);
  const client = await balancedClient(t, servers[0]!.wsdlUrl, url);
  const statusErrors: unknown[] = [];
  client.balancer.on('statusError', (event) => statusErrors.push(event));

  const served = await run(client, 200, 4, async (index) => {
    if (index === 50) await monitor.close();
  });

  assert.equal(served.length, 200);
  assert.ok(statusErrors.length > 0, 'the client noticed and reported the monitor’s absence');
  assert.equal(new Set(served).size, 3, 'calls went on over the last known pool');
});
