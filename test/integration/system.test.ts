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
} from '../../src/index.js';
import { startCalculators } from '../helpers/servers.js';

async function startMonitor(
  t: TestContext,
  servers: readonly CalculatorServer[],
): Promise<{ monitor: Monitor; url: string }> {
  const monitor = createMonitor({
    servers: servers.map((server) => server.url),
    intervalMs: 50,
    timeoutMs: 50,
    rise: 1,
    fall: 1,
    healthPath: '/calculator?wsdl',
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
): Promise<BalancedSoapClient> {
  const client = await createBalancedClient(wsdlUrl, {
    allow: ['http://127.0.0.1:*'],
    monitor: { url: monitorUrl, ttlMs: 20, maxAgeMs: 5_000 },
    idempotent: ['Add'],
  });
  t.after(() => client.close());
  return client;
}

/** Runs `count` Add calls, `concurrency` at a time; returns who served each. `during(i)` runs before call i. */
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

const until = async (condition: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(condition(), `timed out waiting for ${what}`);
};

test('a busy replica gets clearly fewer calls than the others', async (t) => {
  const servers = await startCalculators(t, 3, { loadReport: true, capacity: 2, delayMs: 20 });
  const busy = servers[0]!;
  const releaseBusy = busy.hold();
  t.after(releaseBusy);
  // Calls from elsewhere, parked on the held server: it reports them, so it looks very busy.
  const elsewhere = await createBalancedClient(busy.wsdlUrl, { servers: [busy.url] });
  t.after(() => elsewhere.close());
  const parked = Array.from({ length: 6 }, () => elsewhere.AddAsync({ a: 0, b: 0 }).catch(() => undefined));
  await until(() => busy.held + busy.queued >= 6, 'the busy server to fill up');

  const monitorUrl = (await startMonitor(t, servers)).url;
  const client = await balancedClient(t, servers[1]!.wsdlUrl, monitorUrl);
  await until(() => (client.balancer.servers()[0]?.monitor?.load ?? 0) > 1, 'the monitor to report the load');
  const served = await run(client, 60, 6);

  const share = served.filter((name) => name === busy.name).length;
  assert.ok(share <= 6, `the busy server got ${share} of 60 calls`);
  releaseBusy();
  await Promise.all(parked);
});

test('a replica stopped mid-run gets no calls once the monitor sees it, and no call fails', async (t) => {
  const servers = await startCalculators(t, 3, { loadReport: true, delayMs: 5 });
  const { monitor, url } = await startMonitor(t, servers);
  const client = await balancedClient(t, servers[0]!.wsdlUrl, url);
  const victim = servers[2]!;
  let seenDown = false;
  monitor.on('serverDown', (event) => {
    if (event.url === victim.url) seenDown = true;
  });
  let callsWhenSeen = -1;

  const served = await run(client, 300, 6, async (index) => {
    if (index === 100) victim.kill();
    if (seenDown && callsWhenSeen < 0) {
      // Give the client one status refresh to learn it, then count what the victim ran.
      await new Promise((resolve) => setTimeout(resolve, 40));
      callsWhenSeen = victim.calls.Add ?? 0;
    }
  });

  assert.equal(served.length, 300, 'every call succeeded');
  assert.ok(callsWhenSeen >= 0, 'the monitor saw the stop');
  assert.equal(victim.calls.Add ?? 0, callsWhenSeen, 'no call reached the stopped server after that');
});

test('a replica added to the monitor starts receiving calls', async (t) => {
  const servers = await startCalculators(t, 3, { loadReport: true });
  const { monitor, url } = await startMonitor(t, servers.slice(0, 2));
  const client = await balancedClient(t, servers[0]!.wsdlUrl, url);
  assert.ok(!(await run(client, 20, 4)).includes(servers[2]!.name));

  monitor.addServer(servers[2]!.url);
  await until(() => {
    client.AddAsync({ a: 0, b: 0 }).catch(() => {});
    return client.balancer
      .servers()
      .some((server) => server.url === servers[2]!.url && server.state === 'up');
  }, 'the client to learn of the new server');
  const served = await run(client, 30, 6);
  assert.ok(served.includes(servers[2]!.name), 'the new server served calls');
});

test('the monitor killed mid-run: zero failed calls', async (t) => {
  const servers = await startCalculators(t, 3, { loadReport: true });
  const { monitor, url } = await startMonitor(t, servers);
  const client = await balancedClient(t, servers[0]!.wsdlUrl, url);
  const monitorErrors: unknown[] = [];
  client.balancer.on('monitorError', (event) => monitorErrors.push(event));

  const served = await run(client, 200, 4, async (index) => {
    if (index === 50) await monitor.close();
  });

  assert.equal(served.length, 200);
  assert.ok(monitorErrors.length > 0, 'the client noticed and reported the monitor’s absence');
  assert.equal(new Set(served).size, 3, 'calls went on over the last known pool');
});
