import cluster, { type Worker } from 'node:cluster';
import type { MetricFamily } from '../metrics/families.js';
import type { CliIo } from './monitor-command.js';
import { type AdminServer, startAdminServer } from './proxy-admin.js';
import type { ProxyCommand } from './proxy-args.js';
import { type FromWorker, type ToWorker, workerVariable } from './proxy-worker-link.js';
import { stopSignal } from './stop-signal.js';
import { exitCode } from './usage.js';

/** Unexpected worker deaths tolerated within {@link restartWindowMs}; one more and the proxy stops. */
const maxRestarts = 5;
const restartWindowMs = 60_000;
/** How long a scrape waits for each worker's metrics. */
const metricsTimeoutMs = 2_000;

/**
 * `soap-balancer proxy --workers N` (N > 1): forks N workers with `node:cluster`, each running its own
 * proxy (its own Balancer) on the shared port. Prints the listening line once every worker listens,
 * restarts a worker that dies (a bounded number of times), serves the admin listener with every
 * worker's metrics (labelled `worker`), and on SIGINT/SIGTERM asks every worker to drain; exits 0 when
 * all have drained and exited cleanly.
 * @returns the exit code.
 */
export async function runProxyPrimary(
  command: ProxyCommand,
  args: readonly string[],
  io: CliIo,
): Promise<number> {
  const stop = stopSignal();
  const slots = new Map<string, Worker>();
  const listening = new Set<string>();
  const restarts: number[] = [];
  const pending = new Map<number, (families: MetricFamily[]) => void>();
  let nextRequest = 0;
  let announced = false;
  let stopping = false;
  let code: number = exitCode.ok;
  let admin: AdminServer | undefined;
  let allExited: () => void = () => {};
  const exited = new Promise<void>((resolve) => (allExited = resolve));

  const tell = (worker: Worker, message: ToWorker) => {
    if (worker.isConnected()) worker.send(message);
  };
  const beginStop = (failure: boolean) => {
    if (failure) code = exitCode.failure;
    if (stopping) return;
    stopping = true;
    for (const worker of slots.values()) tell(worker, { type: 'stop' });
    if (slots.size === 0) allExited();
  };
  const fork = (slot: string) => {
    const worker = cluster.fork({ [workerVariable]: slot });
    slots.set(slot, worker);
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'metrics') pending.get(message.id)?.(message.families);
      if (message.type !== 'listening') return;
      listening.add(slot);
      if (stopping) tell(worker, { type: 'stop' });
      else if (!announced && listening.size === command.workers) {
        announced = true;
        io.out(`soap-balancer proxy listening on ${message.url} (${command.workers} workers)`);
        if (admin) io.out(`soap-balancer proxy admin on ${admin.url}`);
      }
    });
    worker.on('exit', (status: number | null, signal: NodeJS.Signals | null) => {
      slots.delete(slot);
      listening.delete(slot);
      if (stopping) {
        if (status !== 0) code = exitCode.failure;
        if (slots.size === 0) allExited();
        return;
      }
      const how = signal ?? `code ${status}`;
      if (!announced) {
        io.err(`soap-balancer proxy: worker ${slot} exited (${how}) before listening; stopping`);
        return beginStop(true);
      }
      const now = Date.now();
      while (restarts.length > 0 && (restarts[0] as number) <= now - restartWindowMs) restarts.shift();
      if (restarts.length >= maxRestarts) {
        io.err(
          `soap-balancer proxy: worker ${slot} exited (${how}); ${maxRestarts} restarts in a minute already, stopping`,
        );
        return beginStop(true);
      }
      restarts.push(now);
      io.err(`soap-balancer proxy: worker ${slot} exited (${how}); restarting it`);
      fork(slot);
    });
  };
  const askMetrics = (slot: string, worker: Worker): Promise<MetricFamily[]> => {
    const id = nextRequest++;
    return new Promise<MetricFamily[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`worker ${slot} gave no metrics within ${metricsTimeoutMs} ms`));
      }, metricsTimeoutMs).unref();
      pending.set(id, (families) => {
        clearTimeout(timer);
        pending.delete(id);
        resolve(families.map((family) => labelled(family, slot)));
      });
      tell(worker, { type: 'metrics', id });
    });
  };

  try {
    if (command.admin) {
      admin = await startAdminServer(command.admin.port, command.admin.host, {
        metrics: async () =>
          (await Promise.all([...slots].map(([slot, worker]) => askMetrics(slot, worker)))).flat(),
        serving: () => announced && !stopping && listening.size === command.workers,
      });
    }
  } catch (error: unknown) {
    stop.dispose();
    io.err(`soap-balancer proxy: admin listener: ${error instanceof Error ? error.message : String(error)}`);
    return exitCode.failure;
  }
  // The workers run this same executable with the same arguments (and Node flags, e.g. a loader).
  cluster.setupPrimary({ exec: process.argv[1], args: ['proxy', ...args] });
  for (let slot = 1; slot <= command.workers; slot++) fork(String(slot));
  void stop.received.then((signal) => {
    io.err(`${signal}: draining the calls in flight of every worker, then closing`);
    beginStop(false);
  });
  await exited;
  stop.dispose();
  await admin?.close();
  return code;
}

/** A worker's family with its samples labelled `worker`, so that the workers' series stay apart. */
function labelled(family: MetricFamily, slot: string): MetricFamily {
  return {
    ...family,
    samples: family.samples.map((sample) => ({ ...sample, labels: { ...sample.labels, worker: slot } })),
  } as MetricFamily;
}
