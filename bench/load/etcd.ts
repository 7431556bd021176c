// A one-member etcd for the etcd scenario, on free ports, its data in a temp dir removed by `stop()`.
// Started through the harness, so that it is killed however the run ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProcess } from '../harness/processes.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts etcd and waits until it is healthy; `stop()` kills it and removes its data. */
export async function startEtcd() {
  const dataDir = mkdtempSync(join(tmpdir(), 'soapbal-bench-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const proc = startProcess('etcd', 'etcd', [
    ...[
      '--name',
      'bench',
      '--data-dir',
      dataDir,
      '--listen-client-urls',
      url,
      '--advertise-client-urls',
      url,
    ],
    ...[
      '--listen-peer-urls',
      peer,
      '--initial-advertise-peer-urls',
      peer,
      '--initial-cluster',
      `bench=${peer}`,
    ],
    ...['--logger', 'zap', '--log-level', 'error', '--heartbeat-interval', '50', '--election-timeout', '500'],
  ]);
  for (let tries = 0; ; tries++) {
    const healthy = await fetch(`${url}/health`)
      .then(async (response) => ((await response.json()) as { health?: string }).health === 'true')
      .catch(() => false);
    if (healthy) break;
    if (tries > 200) throw new Error('etcd did not become healthy');
    await sleep(50);
  }
  /** The store's revision: it grows by one per write. */
  const revision = async (): Promise<number> => {
    const response = await fetch(`${url}/v3/kv/range`, { method: 'POST', body: '{"key":"AA=="}' });
    return Number(((await response.json()) as { header: { revision: string } }).header.revision);
  };
  return {
    url,
    pid: proc.pid,
    revision,
    stop: async () => {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
