// `npm run demo`: the whole system on this machine. Three Calculator replicas, each its own process
// reporting its load (replica-1 five times slower than the others); the monitor (the CLI) watching
// them, with its dashboard; one balanced client that takes its pool from the monitor alone. Part-way
// through, replica-2 is SIGKILLed. Every call still succeeds; the output shows who served what.
//
// In a terminal the demo runs until Ctrl-C (replica-2 dies after 20 s), so that the dashboard can be
// watched; piped, or with `--brief`, it makes 120 calls and ends (`--live` forces the long run).
import { createBalancedClient } from '../src/index.js';
import { type ReplicaProcess, startMonitorProcess, startReplica, stopAll } from './processes.js';

const live = process.argv.includes('--live') || (process.stdout.isTTY && !process.argv.includes('--brief'));
const concurrency = 8;
/** Brief run: calls made, and after which one replica-2 is killed. */
const totalCalls = 120;
const killAfterCall = 60;
/** Live run: when replica-2 is killed, and how often a progress line is printed. */
const killAfterMs = 20_000;
const progressEveryMs = 2_000;

try {
  const replicas: ReplicaProcess[] = await Promise.all([
    startReplica('replica-1', 100, 4),
    startReplica('replica-2', 20, 4),
    startReplica('replica-3', 20, 4),
  ]);
  const [slow, victim] = replicas as [ReplicaProcess, ReplicaProcess, ReplicaProcess];
  const nameOf = new Map(replicas.map((replica) => [replica.url, replica.name]));
  console.log('Replicas, each its own process, each serving 4 calls at once and reporting its load:');
  for (const replica of replicas) {
    const speed = replica === slow ? '100 ms a call (slow)' : '20 ms a call';
    console.log(`  ${replica.name}  ${replica.url}  pid ${replica.process.pid}  ${speed}`);
  }

  const monitor = await startMonitorProcess(replicas, [
    ...['--interval-ms', '200', '--timeout-ms', '200', '--health-path', '/calculator?wsdl'],
    ...['--rise', '1', '--fall', '1'],
  ]);
  console.log(`Monitor (soap-balancer monitor), pid ${monitor.process.pid}: ${monitor.url}`);
  console.log(`Dashboard: ${new URL('/', monitor.url).href}  (open it in a browser)`);

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
  const count = (counts: Map<string, number>, name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
  let made = 0;
  let failures = 0;
  let killed = false;
  const kill = () => {
    killed = true;
    console.log(`\n*** SIGKILL ${victim.name} (pid ${victim.process.pid}) with calls in flight ***\n`);
    victim.process.kill('SIGKILL');
  };
  let stopping = false;
  const stop = () => (stopping = true);

  const worker = async () => {
    while (!stopping && (live || made < totalCalls)) {
      const call = ++made;
      if (!live && call === killAfterCall + 1) kill();
      const afterKill = killed;
      try {
        const [result] = await client.AddAsync({ a: call, b: 100 });
        count(served, result.server);
        if (afterKill) count(servedAfterKill, result.server);
        if (!live && (call % 10 === 0 || (call > killAfterCall - 2 && call <= killAfterCall + 12))) {
          console.log(
            `call ${String(call).padStart(3)}  Add(${call}, 100) = ${result.result}  served by ${result.server}`,
          );
        }
      } catch (error: unknown) {
        failures++;
        console.log(`call ${call}  FAILED: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  const timers: NodeJS.Timeout[] = [];
  if (live) {
    console.log(`Calling until Ctrl-C; ${victim.name} is killed in ${killAfterMs / 1000} s.\n`);
    process.once('SIGINT', stop);
    timers.push(setTimeout(kill, killAfterMs));
    const startedAt = Date.now();
    timers.push(
      setInterval(() => {
        const seconds = Math.round((Date.now() - startedAt) / 1000);
        const shares = replicas
          .map((replica) => `${replica.name} ${served.get(replica.name) ?? 0}`)
          .join(', ');
        console.log(`${String(seconds).padStart(4)} s  ${made} calls, ${failures} failed  (${shares})`);
      }, progressEveryMs),
    );
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  for (const timer of timers) clearTimeout(timer);
  process.off('SIGINT', stop);

  const succeeded = [...served.values()].reduce((sum, calls) => sum + calls, 0);
  console.log(`\n${succeeded + failures} calls, ${succeeded} succeeded, ${failures} failed.`);
  for (const replica of replicas) {
    const total = served.get(replica.name) ?? 0;
    const after = servedAfterKill.get(replica.name) ?? 0;
    console.log(`  ${replica.name}: ${String(total).padStart(3)} calls (${after} after the kill)`);
  }
  console.log(conclusion(replicas, slow, victim, served, killed ? servedAfterKill : undefined));
  await client.close();
  if (failures > 0) process.exitCode = 1;
} finally {
  stopAll();
}

/** The closing line, from what happened: how the slow replica fared, and the killed one after the kill. */
function conclusion(
  replicas: readonly ReplicaProcess[],
  slow: ReplicaProcess,
  victim: ReplicaProcess,
  served: Map<string, number>,
  servedAfterKill: Map<string, number> | undefined,
): string {
  const others = replicas.filter((replica) => replica !== slow);
  const othersAverage =
    others.reduce((sum, replica) => sum + (served.get(replica.name) ?? 0), 0) / others.length;
  const slowCalls = served.get(slow.name) ?? 0;
  const slowPart =
    slowCalls < othersAverage
      ? `${slow.name} answers 5x slower, so the balancer sent it fewer calls (${slowCalls}, against ${Math.round(othersAverage)} on average for the others)`
      : `${slow.name} answers 5x slower, yet got as many calls as the others (${slowCalls}, against ${Math.round(othersAverage)} on average)`;
  if (servedAfterKill === undefined) return `${slowPart}; ${victim.name} was never killed.`;
  const afterKill = servedAfterKill.get(victim.name) ?? 0;
  const victimPart =
    afterKill === 0
      ? `${victim.name} got none once dead`
      : `${victim.name} still answered ${afterKill} calls made after its kill (already on the way)`;
  return `${slowPart}; ${victimPart}.`;
}
