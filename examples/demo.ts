// `npm run demo`: the whole system on this machine. Three Calculator replicas, each its own process
// reporting its load (replica-1 five times slower than the others); the monitor (the CLI) watching
// them; one balanced client that takes its pool from the monitor alone. Half-way through, replica-2 is
// SIGKILLed. Every call still succeeds; the output shows who served what.
import { createBalancedClient } from '../src/index.js';
import { type ReplicaProcess, startMonitorProcess, startReplica, stopAll } from './processes.js';

const totalCalls = 120;
const concurrency = 8;
const killAfter = 60;

try {
  const replicas: ReplicaProcess[] = await Promise.all([
    startReplica('replica-1', 100, 4),
    startReplica('replica-2', 20, 4),
    startReplica('replica-3', 20, 4),
  ]);
  const nameOf = new Map(replicas.map((replica) => [replica.url, replica.name]));
  console.log('Replicas, each its own process, each serving 4 calls at once and reporting its load:');
  for (const replica of replicas) {
    const speed = replica.name === 'replica-1' ? '100 ms a call (slow)' : '20 ms a call';
    console.log(`  ${replica.name}  ${replica.url}  pid ${replica.process.pid}  ${speed}`);
  }

  const monitor = await startMonitorProcess(
    replicas.map((replica) => replica.url),
    [
      '--interval-ms',
      '200',
      '--timeout-ms',
      '200',
      '--health-path',
      '/calculator?wsdl',
      '--rise',
      '1',
      '--fall',
      '1',
    ],
  );
  console.log(`Monitor (soap-balancer monitor), pid ${monitor.process.pid}: ${monitor.url}`);

  // No server list: the pool comes from the monitor, asked for status upon request.
  const client = await createBalancedClient(replicas[0]!.wsdlUrl, {
    monitor: { url: monitor.url, ttlMs: 200 },
    // Servers learned from the monitor get calls only if allowed: here, any port of this host.
    allow: ['http://127.0.0.1:*'],
    idempotent: ['Add'], // safe to repeat, so even a call cut off by the kill is retried elsewhere
  });
  const [address] = client.balancer.addresses;
  console.log(`\nWSDL fetched from ${nameOf.get(address!.from.replace(/\/calculator$/, ''))}; its address`);
  console.log(`  ${address!.from}  is now  ${address!.to}\n`);
  client.balancer.on('serverDown', (event) => {
    const why =
      event.source === 'client' ? `${event.failure}, seen by the client` : `${event.state}, says the monitor`;
    console.log(`  !! ${nameOf.get(event.server)} down (${why})`);
  });
  client.balancer.on('failover', (event) =>
    console.log(
      `  -> ${event.operation} failed over from ${nameOf.get(event.from)} to ${nameOf.get(event.to)}`,
    ),
  );

  const served = new Map<string, number>();
  const servedAfterKill = new Map<string, number>();
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
        if (call > killAfter)
          servedAfterKill.set(result.server, (servedAfterKill.get(result.server) ?? 0) + 1);
        if (call % 10 === 0 || (call > killAfter - 2 && call <= killAfter + 12)) {
          console.log(
            `call ${String(call).padStart(3)}  Add(${call}, 100) = ${result.result}  served by ${result.server}`,
          );
        }
      } catch (error: unknown) {
        failures++;
        console.log(
          `call ${String(call).padStart(3)}  FAILED: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  console.log(`\n${totalCalls} calls, ${totalCalls - failures} succeeded, ${failures} failed.`);
  for (const replica of replicas) {
    const total = served.get(replica.name) ?? 0;
    const after = servedAfterKill.get(replica.name) ?? 0;
    console.log(`  ${replica.name}: ${String(total).padStart(3)} calls (${after} after the kill)`);
  }
  console.log(
    'replica-1 answers 5x slower, so the balancer sends it few calls; replica-2 got none once dead.',
  );
  await client.close();
  if (failures > 0) process.exitCode = 1;
} finally {
  stopAll();
}
