// Monitor-scale's view of the monitor's status API: whether its probe rounds keep up, and how many
// `GET /status` answers it serves per second. Plain node:http with keep-alive, so that the client's
// own cost stays small beside the monitor's on a shared machine.
import { Agent, type Agent as HttpAgent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseStatusSnapshot, type StatusSnapshot } from '../../src/index.js';

interface Answer {
  readonly status: number;
  readonly etag: string | undefined;
  readonly body: Buffer;
}

/** One GET, its whole body read: an answer counts only once it has fully arrived. */
export function httpGet(url: string, agent: HttpAgent, etag?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = etag === undefined ? {} : { 'if-none-match': etag };
    request(url, { agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', reject);
      response.once('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          etag: response.headers.etag,
          body: Buffer.concat(chunks),
        }),
      );
    })
      .once('error', reject)
      .end();
  });
}

/**
 * Starts watching the probe rounds; `stop()` judges them. The snapshot gets a new ETag each time a
 * round completes (every server's `lastCheckedAt` moves): polling with `If-None-Match` every 250 ms
 * counts the rounds for a 304 a poll, and the first and last snapshots show which servers were probed
 * again in between, and whether the monitor took every server's load from its report.
 */
export function watchRounds(statusUrl: string, intervalMs: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let stopped = false;
  const seen: { snapshot: StatusSnapshot; at: number }[] = [];
  const polling = (async () => {
    let etag: string | undefined;
    while (!stopped) {
      const answer = await httpGet(statusUrl, agent, etag);
      if (answer.status === 200) {
        seen.push({ snapshot: parseStatusSnapshot(JSON.parse(answer.body.toString())), at: Date.now() });
        etag = answer.etag;
      } else if (answer.status !== 304) throw new Error(`GET ${statusUrl} answered ${answer.status}`);
      await sleep(250);
    }
  })().finally(() => agent.destroy());
  // Reported by stop(); until then a failed poll must not crash the run as an unhandled rejection.
  polling.catch(() => {});
  return {
    async stop() {
      stopped = true;
      await polling;
      const [first, last] = [seen[0], seen.at(-1)];
      if (first === undefined || last === undefined) throw new Error('no status snapshot received');
      // Never probed counts as infinitely long ago.
      const checkedAt = (iso: string | null) => (iso ? Date.parse(iso) : Number.NEGATIVE_INFINITY);
      const before = new Map(
        first.snapshot.servers.map((server) => [server.id, checkedAt(server.lastCheckedAt)]),
      );
      const servers = last.snapshot.servers;
      const reprobed = servers.filter(
        (server) => checkedAt(server.lastCheckedAt) > (before.get(server.id) ?? Number.NEGATIVE_INFINITY),
      ).length;
      const oldestMs = Math.max(...servers.map((server) => last.at - checkedAt(server.lastCheckedAt)));
      const roundsPerSecond = (seen.length - 1) / ((last.at - first.at) / 1000);
      // Jitter moves each round's start by ±10%; a server probed 3 intervals ago means falling behind.
      const keptUp =
        reprobed >= 0.95 * servers.length &&
        roundsPerSecond >= 800 / intervalMs &&
        oldestMs <= 3 * intervalMs;
      // A stub whose reports the monitor rejected would have it measured on its latency fallback instead.
      const reporting = servers.filter((server) => server.loadSource === 'report').length;
      return { servers: servers.length, reporting, reprobed, roundsPerSecond, oldestMs, keptUp };
    },
  };
}

/**
 * `loops` keep-alive clients, each sending its next `GET /status` as soon as the previous answer is in,
 * for `durationMs`. `conditional`: each sends `If-None-Match` with the latest ETag seen, as balanced
 * clients polling the monitor do (a 304 until the next round's snapshot).
 */
export async function loadStatus(statusUrl: string, loops: number, durationMs: number, conditional: boolean) {
  const agent = new Agent({ keepAlive: true, maxSockets: loops });
  const counts = { answers200: 0, answers304: 0, bytes200: 0 };
  let etag = conditional ? (await httpGet(statusUrl, agent)).etag : undefined;
  const started = performance.now();
  const loop = async () => {
    while (performance.now() < started + durationMs) {
      const answer = await httpGet(statusUrl, agent, etag);
      if (answer.status === 304) counts.answers304++;
      else if (answer.status !== 200) throw new Error(`GET ${statusUrl} answered ${answer.status}`);
      else {
        counts.answers200++;
        counts.bytes200 += answer.body.length;
        if (conditional) etag = answer.etag;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: loops }, loop));
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  return { ...counts, seconds, perSecond: (counts.answers200 + counts.answers304) / seconds };
}
