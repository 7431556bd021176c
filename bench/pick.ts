// `pick`: what one LeastBusyPolicy selection costs over pools of plain objects, against the issue's
// target of at most 1 µs per pick at 1,000 servers.
import { LeastBusyPolicy, type ServerView } from '../src/index.js';
import { fixed, formatTable, heading } from './format.js';
import { writeResults } from './results.js';
import { median } from './stats.js';
import { checkBound, printTargets, type TargetCheck } from './targets.js';

interface PickResult {
  readonly servers: number;
  readonly picks: number;
  readonly nsPerPick: number;
  readonly nsPerPickByRepetition: readonly number[];
}

const repetitions = 5;
const targetServers = 1000;
const targetNsPerPick = 1000;
// About the same servers visited per repetition at every size, so each takes a similar ~10-50 ms.
const plan = [
  { servers: 10, picks: 1_000_000 },
  { servers: 100, picks: 100_000 },
  { servers: 1000, picks: 10_000 },
] as const;

/** Keeps the picks observable, so the JIT cannot drop the loop as dead code. */
let sink = 0;

/** mulberry32: a tiny, good-enough PRNG in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomPool(size: number): ServerView[] {
  // Seeded, so that every run times the same pools: how many servers tie changes the cost of a pick.
  const random = seededRandom(size);
  // Small in-flight counts, as in real pools: ties are common, which exercises the tie-breaking path.
  return Array.from({ length: size }, (_, index) => {
    const inFlight = Math.floor(random() * 8);
    return { url: `http://10.0.${Math.floor(index / 250)}.${index % 250}:8000`, inFlight, cost: inFlight };
  });
}

function timePicks(policy: LeastBusyPolicy, pool: readonly ServerView[], picks: number): number {
  const anyServer = () => true;
  const start = process.hrtime.bigint();
  for (let i = 0; i < picks; i++)
    sink += policy.pick({ servers: pool, isEligible: anyServer })?.inFlight ?? 0;
  return Number(process.hrtime.bigint() - start) / picks;
}

export async function runPick(): Promise<readonly TargetCheck[]> {
  const policy = new LeastBusyPolicy();
  const results: PickResult[] = plan.map(({ servers, picks }) => {
    const pool = randomPool(servers);
    timePicks(policy, pool, picks); // warm-up: let the JIT optimize pick() for this pool's shape
    const byRepetition = Array.from({ length: repetitions }, () => timePicks(policy, pool, picks));
    return { servers, picks, nsPerPick: median(byRepetition), nsPerPickByRepetition: byRepetition };
  });
  console.log(heading('pick: LeastBusyPolicy.pick() cost'));
  console.log(`\nall servers eligible, random inFlight 0-7, median of ${repetitions}\n`);
  const rows = results.map((result) => [
    String(result.servers),
    result.picks,
    fixed(result.nsPerPick, 1),
    fixed(result.nsPerPick / result.servers, 2),
  ]);
  console.log(formatTable(['servers', 'picks', 'ns/pick', 'ns/server'], rows));
  const atTarget = results.find((result) => result.servers === targetServers);
  const check = checkBound(
    `<= 1 µs per pick at ${targetServers.toLocaleString('en')} servers`,
    (atTarget?.nsPerPick ?? Number.NaN) / 1000,
    '<=',
    targetNsPerPick / 1000,
    3,
    'µs per pick',
  );
  console.log('');
  printTargets([check]);
  if (sink < 0) console.log(sink); // never true; reading it is what keeps the picks alive
  await writeResults('pick', { repetitions, results, target: check });
  return [check];
}
