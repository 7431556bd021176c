// `npm run demo`: three Calculator replicas in their own processes, one balanced client, and one
// replica SIGKILLed half-way through. Every call still succeeds; the output shows who served what.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createBalancedClient } from '../src/index.js';

interface Replica {
  readonly name: string;
  readonly url: string;
  readonly wsdlUrl: string;
  readonly process: ChildProcess;
}

const totalCalls = 40;
const concurrency = 4;
const killAfter = 20;

async function startReplica(name: string): Promise<Replica> {
  const script = fileURLToPath(new URL('./calculator/run-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, name, '20'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = await Promise.race([
    createInterface({ input: child.stdout! })
      [Symbol.asyncIterator]()
      .next()
      .then((r) => [r.value as string]),
    new Promise<never>((_, reject) =>
      child.once('exit', () => reject(new Error(`${name} exited before starting`))),
    ),
  ]);
  return { ...(JSON.parse(line!) as Omit<Replica, 'process'>), process: child };
}

const replicas = await Promise.all(['replica-1', 'replica-2', 'replica-3'].map(startReplica));
const nameOf = new Map(replicas.map((replica) => [replica.url, replica.name]));
try {
  console.log('Three Calculator replicas, each its own process:');
  for (const replica of replicas)
    console.log(`  ${replica.name}  ${replica.url}  (pid ${replica.process.pid})`);

  const client = await createBalancedClient(replicas[0]!.wsdlUrl, {
    servers: replicas.map((replica) => replica.url),
    // Add is safe to repeat, so even a call cut off by the kill is retried on another replica.
    idempotent: ['Add'],
  });
  const [address] = client.balancer.addresses;
  console.log(`\nWSDL fetched from ${nameOf.get(address!.from.replace(/\/calculator$/, ''))}; its address`);
  console.log(
    `  ${address!.from}  is now  ${address!.to}  (every call must come back through the balancer)\n`,
  );
  client.balancer.on('serverDown', (event) => {
    const why =
      event.source === 'client' ? `${event.failure}, seen by the client` : `${event.state}, said the monitor`;
    console.log(`  !! ${nameOf.get(event.server)} marked down (${why}); skipped until it is back`);
  });
  client.balancer.on('failover', (event) =>
    console.log(
      `  -> ${event.operation} failed over from ${nameOf.get(event.from)} to ${nameOf.get(event.to)}`,
    ),
  );

  const served = new Map<string, number>();
  let next = 1;
  let failures = 0;
  const worker = async () => {
    while (next <= totalCalls) {
      const call = next++;
      if (call === killAfter + 1) {
        const victim = replicas[1]!;
        console.log(`\n*** SIGKILL ${victim.name} (pid ${victim.process.pid}) with calls in flight ***\n`);
        victim.process.kill('SIGKILL');
      }
      try {
        const [result] = await client.AddAsync({ a: call, b: 100 });
        served.set(result.server, (served.get(result.server) ?? 0) + 1);
        console.log(
          `call ${String(call).padStart(2)}  Add(${call}, 100) = ${result.result}  served by ${result.server}`,
        );
      } catch (error: unknown) {
        failures++;
        console.log(
          `call ${String(call).padStart(2)}  FAILED: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  console.log(`\n${totalCalls} calls, ${totalCalls - failures} succeeded, ${failures} failed.`);
  for (const [name, count] of [...served].sort()) console.log(`  ${name}: ${count} calls`);
  await client.close();
  if (failures > 0) process.exitCode = 1;
} finally {
  for (const replica of replicas) replica.process.kill('SIGKILL');
}
