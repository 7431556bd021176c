// `npm run docs:screenshot`: writes docs/dashboard.png, the README's picture of the monitor's dashboard,
// from a real run: four Calculator replicas reporting their load (replica-1 five times slower), the
// monitor, and a balanced client keeping 12 calls running; replica-3 is stopped part-way, so the
// picture shows a server down and its calls gone to the others. Needs chromium (CHROMIUM_PATH, default
// /usr/bin/chromium); nothing is downloaded.
import { mkdir } from 'node:fs/promises';
import { startCalculatorServer } from '../examples/calculator/server.js';
import { createBalancedClient, createMonitor } from '../src/index.js';
import { launchChromium } from '../test/helpers/browser.js';

const output = new URL('../docs/dashboard.png', import.meta.url);
const runMs = 40_000;
const stopReplicaAfterMs = 24_000;

const replica = (name: string, delayMs: number) =>
  startCalculatorServer({ name, delayMs, capacity: 4, loadReport: true });
const [slow, first, victim, last] = await Promise.all([
  replica('replica-1', 100),
  replica('replica-2', 20),
  replica('replica-3', 20),
  replica('replica-4', 20),
]);
const replicas = [slow, first, victim, last];
const monitor = createMonitor({
  servers: replicas.map((replica) => ({ url: replica.url, id: replica.name })),
  intervalMs: 500,
  timeoutMs: 400,
  fall: 1,
});
const chromium = await launchChromium();
try {
  await monitor.start();
  const { url } = await monitor.listen({ port: 0 });
  const client = await createBalancedClient(first.wsdlUrl, {
    monitor: { url, ttlMs: 200 },
    allow: ['http://127.0.0.1:*'],
    idempotent: ['Add'],
  });
  let calling = true;
  const caller = async () => {
    while (calling) await client.AddAsync({ a: 1, b: 2 }).catch(() => {});
  };
  // The page is open from the start, as a person's would be: a browser starting at the end would
  // take the CPU from the replicas and show as a load spike.
  const page = await chromium.browser.newPage();
  await page.setViewport({ width: 1280, height: 560, deviceScaleFactor: 1 });
  await page.goto(new URL('/', url).href);
  const callers = Array.from({ length: 12 }, caller);
  console.log(`dashboard at ${new URL('/', url).href}; calling for ${runMs / 1000} s…`);
  await new Promise((resolve) => setTimeout(resolve, stopReplicaAfterMs));
  await victim.close();
  await new Promise((resolve) => setTimeout(resolve, runMs - stopReplicaAfterMs));

  // Taken while the calls still run, so that the charts end on live figures.
  await page.waitForSelector('#servers tr[data-state="down"]', { timeout: 10_000 });
  await page.waitForSelector('#calls-chart polyline', { timeout: 10_000 });
  await mkdir(new URL('.', output), { recursive: true });
  await page.screenshot({ path: output.pathname, fullPage: true });
  console.log(`wrote ${output.pathname}`);
  calling = false;
  await Promise.all(callers);
  await client.close();
} finally {
  await chromium.close();
  await monitor.close();
  await Promise.all(replicas.map((replica) => replica.close().catch(() => {})));
}
