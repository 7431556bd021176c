// Whether the monitor really completes a probe round every interval: a CPU figure is worth nothing
// for a monitor that falls behind. The status snapshot gets a new version (a new ETag) each time a
// round completes, since every server's `lastCheckedAt` moves; polling with `If-None-Match` counts
// those versions at the cost of a 304 per poll, and the first and last full snapshots show which
// servers were probed again in between.
import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseStatusSnapshot, type StatusSnapshot } from '../../src/status/schema.js';
import { httpGet } from './http-get.js';

/** Often enough to time each new version to within a quarter of a 1 s round; a 304 costs next to nothing. */
const pollMs = 250;
/** Share of servers that must have been probed again between the first and last snapshot. */
const minFractionReprobed = 0.95;
/** Share of the expected rounds per second that must have completed (jitter moves each start ±10%). */
const minRoundRateShare = 0.8;
/** A server last probed longer ago than this many intervals means the rounds fall behind. */
const maxAgeInIntervals = 3;

export interface RoundsResult {
  readonly servers: number;
  /** Time between the first and the last full snapshot received, s. */
  readonly watchedSeconds: number;
  /** New snapshot versions after the first one: probe rounds completed. */
  readonly rounds: number;
  readonly roundsPerSecond: number;
  readonly expectedRoundsPerSecond: number;
  /** Servers whose `lastCheckedAt` advanced between the first and the last snapshot. */
  readonly reprobed: number;
  readonly fractionReprobed: number;
  /** How long ago each server was last probed, when the last snapshot arrived: median and worst, ms. */
  readonly medianAgeMs: number;
  readonly maxAgeMs: number;
  readonly keptUp: boolean;
}

interface Received {
  readonly snapshot: StatusSnapshot;
  readonly at: number;
}

/** Starts polling `statusUrl`; `stop()` ends it and judges the rounds seen. */
export function watchRounds(statusUrl: string, intervalMs: number): { stop(): Promise<RoundsResult> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let stopped = false;
  let first: Received | undefined;
  let last: Received | undefined;
  let rounds = -1;
  const poll = async () => {
    let etag: string | undefined;
    while (!stopped) {
      const answer = await httpGet(statusUrl, agent, etag === undefined ? {} : { 'if-none-match': etag });
      if (answer.status === 200) {
        last = { snapshot: parseStatusSnapshot(JSON.parse(answer.body.toString('utf8'))), at: Date.now() };
        first ??= last;
        rounds++;
        etag = answer.etag;
      } else if (answer.status !== 304) throw new Error(`GET ${statusUrl} answered ${answer.status}`);
      await sleep(pollMs);
    }
  };
  const polling = poll().finally(() => agent.destroy());
  // Reported by stop(); until then a failed poll must not crash the run as an unhandled rejection.
  polling.catch(() => {});
  return {
    async stop() {
      stopped = true;
      await polling;
      if (first === undefined || last === undefined) throw new Error('No status snapshot received');
      return judge(first, last, rounds, intervalMs);
    },
  };
}

function judge(first: Received, last: Received, rounds: number, intervalMs: number): RoundsResult {
  const before = new Map(
    first.snapshot.servers.map((server) => [server.id, checkedAt(server.lastCheckedAt)]),
  );
  const ages: number[] = [];
  let reprobed = 0;
  for (const server of last.snapshot.servers) {
    const checked = checkedAt(server.lastCheckedAt);
    if (checked > (before.get(server.id) ?? Number.NEGATIVE_INFINITY)) reprobed++;
    ages.push(last.at - checked);
  }
  ages.sort((a, b) => a - b);
  const servers = last.snapshot.servers.length;
  const watchedSeconds = (last.at - first.at) / 1000;
  const roundsPerSecond = watchedSeconds > 0 ? rounds / watchedSeconds : 0;
  const expectedRoundsPerSecond = 1000 / intervalMs;
  const fractionReprobed = servers === 0 ? 0 : reprobed / servers;
  const maxAgeMs = ages.at(-1) ?? Number.POSITIVE_INFINITY;
  return {
    servers,
    watchedSeconds,
    rounds,
    roundsPerSecond,
    expectedRoundsPerSecond,
    reprobed,
    fractionReprobed,
    medianAgeMs: ages[Math.floor(ages.length / 2)] ?? Number.POSITIVE_INFINITY,
    maxAgeMs,
    keptUp:
      fractionReprobed >= minFractionReprobed &&
      roundsPerSecond >= minRoundRateShare * expectedRoundsPerSecond &&
      maxAgeMs <= maxAgeInIntervals * intervalMs,
  };
}

/** Epoch ms of a `lastCheckedAt`; never probed counts as infinitely long ago. */
function checkedAt(iso: string | null): number {
  return iso === null ? Number.NEGATIVE_INFINITY : Date.parse(iso);
}
