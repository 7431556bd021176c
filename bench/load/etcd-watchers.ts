// Watching clients for the etcd scenarios: what a balanced client runs for its `etcd` option, minus
// SOAP (a status source feeding a Balancer each, all in the bench process), and a tracker of when the
// last of them has seen an event.
import { Balancer } from '../../src/balancer/balancer.js';
import { normalizeOptions } from '../../src/client/options.js';
import { EtcdStatusSource } from '../../src/status/etcd-source.js';

/** Starts `count` clients watching `prefix`; resolves once every one has ranged. */
export async function startWatchers(endpoint: string, prefix: string, count: number) {
  const config = normalizeOptions('http://127.0.0.1:1/wsdl', {
    etcd: { endpoints: [endpoint], prefix },
    allow: ['http://127.0.0.1:1'],
  });
  const { etcd } = config;
  if (etcd === undefined) throw new Error('the etcd option went missing');
  return Promise.all(
    Array.from({ length: count }, async () => {
      const balancer = new Balancer(config);
      const source = new EtcdStatusSource(etcd, balancer);
      await source.start();
      return { balancer, source };
    }),
  );
}

export type Watcher = Awaited<ReturnType<typeof startWatchers>>[number];

export type Seen = 'serverDown' | 'serverRemoved' | 'serverAdded';

/**
 * One listener per watcher and event (not one per awaited URL): `lastToSee` resolves with the time
 * (performance.now) at which the last of the watchers saw `event` for `url`.
 */
export function trackEvents(watchers: readonly Watcher[]) {
  const waiting = new Map<string, { seen: number; resolve: (at: number) => void }>();
  for (const event of ['serverDown', 'serverRemoved', 'serverAdded'] as const) {
    for (const { balancer } of watchers) {
      balancer.on(event, ({ server }: { server: string }) => {
        const entry = waiting.get(`${event} ${server}`);
        if (entry && ++entry.seen === watchers.length) entry.resolve(performance.now());
      });
    }
  }
  return (url: string, event: Seen) =>
    new Promise<number>((resolve) => waiting.set(`${event} ${url}`, { seen: 0, resolve }));
}
