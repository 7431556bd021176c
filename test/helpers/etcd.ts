import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { waitFor } from './monitor.js';
import { type ScriptedServer, statusSnapshot } from './status-snapshot.js';

/** One etcd member started by a test: its client URL, and SIGKILL / restart (same data dir). */
export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  /** SIGKILLs the member and waits for its exit. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and data; resolves when it is healthy. */
  restart(): Promise<void>;
  readonly running: boolean;
}

/** A 1- or 3-member etcd cluster on free 127.0.0.1 ports, with a few gateway calls for tests. */
export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** Every member's client URL. */
  readonly endpoints: readonly string[];
  /** Any unary gateway call, on the first running member that answers. */
  call(path: string, body: object): Promise<Record<string, unknown>>;
  put(key: string, value: string, lease?: string): Promise<number>;
  get(key: string): Promise<{ value: string; lease: string } | undefined>;
  remove(key: string): Promise<void>;
  grantLease(ttlSeconds: number): Promise<string>;
  compact(revision: number): Promise<void>;
  /** The member that is raft leader now. */
  leader(): Promise<EtcdMember>;
}

/** Short raft timings keep elections (and the shortest lease TTL, 1.5 election timeouts) quick. */
const raftFlags = ['--heartbeat-interval', '50', '--election-timeout', '500'];

/**
 * Starts an etcd cluster of `size` members (`etcd` from Debian's etcd-server), each on its own free
 * client and peer ports and a temp data dir, and waits until every member is healthy. Everything is
 * killed and removed when the test ends.
 */
export async function startEtcd(t: TestContext, size: 1 | 3 = 1): Promise<EtcdCluster> {
  const dataRoot = mkdtempSync(join(tmpdir(), 'soapbal-etcd-'));
  const ports = await freePorts(size * 2);
  const specs = Array.from({ length: size }, (_, index) => ({
    name: `m${index + 1}`,
    clientUrl: `http://127.0.0.1:${ports[index * 2]}`,
    peerUrl: `http://127.0.0.1:${ports[index * 2 + 1]}`,
    dataDir: join(dataRoot, `m${index + 1}`),
  }));
  const initialCluster = specs.map((spec) => `${spec.name}=${spec.peerUrl}`).join(',');
  const members = specs.map((spec) => {
    let child: ChildProcess | undefined;
    const launch = () => {
      child = spawn(
        'etcd',
        [
          '--name',
          spec.name,
          '--data-dir',
          spec.dataDir,
          '--listen-client-urls',
          spec.clientUrl,
          '--advertise-client-urls',
          spec.clientUrl,
          '--listen-peer-urls',
          spec.peerUrl,
          '--initial-advertise-peer-urls',
          spec.peerUrl,
          '--initial-cluster',
          initialCluster,
          '--initial-cluster-token',
          `soapbal-${ports[0]}`,
          '--logger',
          'zap',
          '--log-level',
          'error',
          ...raftFlags,
        ],
        { stdio: 'ignore' },
      );
    };
    const member: EtcdMember = {
      name: spec.name,
      clientUrl: spec.clientUrl,
      get running() {
        return child !== undefined && child.exitCode === null && child.signalCode === null;
      },
      kill: async () => {
        if (!member.running || !child) return;
        const exited = new Promise((resolve) => child?.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      },
      restart: async () => {
        await member.kill();
        launch();
        await waitForHealth(spec.clientUrl);
      },
    };
    launch();
    return member;
  });
  t.after(async () => {
    await Promise.all(members.map((member) => member.kill()));
    rmSync(dataRoot, { recursive: true, force: true });
  });
  await Promise.all(specs.map((spec) => waitForHealth(spec.clientUrl)));

  const call = async (path: string, body: object): Promise<Record<string, unknown>> => {
    let lastError: unknown;
    for (const member of members.filter((candidate) => candidate.running)) {
      try {
        const response = await fetch(`${member.clientUrl}${path}`, {
          method: 'POST',
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(3_000),
        });
        const answer = (await response.json()) as Record<string, unknown>;
        if (response.ok) return answer;
        lastError = new Error(`${path}: HTTP ${response.status} ${JSON.stringify(answer)}`);
      } catch (error: unknown) {
        lastError = error;
      }
    }
    throw lastError;
  };
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return {
    members,
    endpoints: members.map((member) => member.clientUrl),
    call,
    put: async (key, value, lease) => {
      const answer = await call('/v3/kv/put', {
        key: b64(key),
        value: b64(value),
        ...(lease ? { lease } : {}),
      });
      return Number((answer.header as { revision: string }).revision);
    },
    get: async (key) => {
      const answer = await call('/v3/kv/range', { key: b64(key) });
      const kv = (answer.kvs as { value?: string; lease?: string }[] | undefined)?.[0];
      return kv && { value: Buffer.from(kv.value ?? '', 'base64').toString(), lease: kv.lease ?? '0' };
    },
    remove: async (key) => {
      await call('/v3/kv/deleterange', { key: b64(key) });
    },
    grantLease: async (ttlSeconds) => {
      const answer = await call('/v3/lease/grant', { TTL: String(ttlSeconds) });
      return answer.ID as string;
    },
    compact: async (revision) => {
      await call('/v3/kv/compaction', { revision: String(revision), physical: true });
    },
    leader: async () => {
      for (const member of members.filter((candidate) => candidate.running)) {
        const status = await fetch(`${member.clientUrl}/v3/maintenance/status`, {
          method: 'POST',
          body: '{}',
        })
          .then((response) => response.json() as Promise<{ header: { member_id: string }; leader: string }>)
          .catch(() => undefined);
        if (status && status.leader === status.header.member_id) return member;
      }
      throw new Error('no member leads');
    },
  };
}

async function waitForHealth(clientUrl: string): Promise<void> {
  await waitFor(
    () =>
      fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1_000) })
        .then(
          async (response) =>
            response.ok && ((await response.json()) as { health: string }).health === 'true',
        )
        .catch(() => false),
    `etcd at ${clientUrl} to be healthy`,
    20_000,
  );
}

/** `count` distinct free ports (listened on, then released). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve) => {
          const server = createServer();
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Writes one server's status under `prefix` (key: its URL, encoded; id = URL), as a writer would. */
export function publishStatus(
  etcd: EtcdCluster,
  prefix: string,
  server: ScriptedServer,
  lease?: string,
): Promise<number> {
  const [status] = statusSnapshot([server]).servers;
  return etcd.put(`${prefix}${encodeURIComponent(server.url)}`, JSON.stringify(status), lease);
}
