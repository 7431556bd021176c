// `pick`: what one LeastBusyPolicy selection costs over pools of plain objects, against the target of
// at most 1 µs per pick at 1,000 servers. The only file of the bench that uses the policy and
// ServerView internals: adapt it, and only it, when they change.
import { LeastBusyPolicy, type ServerView } from '../../src/index.js';
import { writeResults } from '../harness/results.js';
import type { Scenario } from '../harness/scenario.js';
import { median } from '../harness/stats.js';
import { fixed, formatTable, heading } from '../harness/table.js';
import { checkBound, printTargets } from '../harness/targets.js';

const repetitions = 5;
// About the same servers visited per repetition at every size, so that each takes ~10-50 ms.
const plan = [
  { servers: 10, picks: 1_000_000 },
  { servers: 100, picks: 100_000 },
  { servers: 1000, picks: 10_000 },
];

/** Keeps the picks observable, so that the JIT cannot drop the loop as dead code. */
let sink = 0;

function timePicks(policy: LeastBusyPolicy, pool: readonly ServerView[], picks: number): number {
  const anyServer = () => true;
  const start = process.hrtime.bigint();
  for (let i = 0; i < picks; i++)
    sink += policy.pick({ servers: pool, isEligible: anyServer })?.inFlight ?? 0;
  return Number(process.hrtime.bigint() - start) / picks;
}

export const pick: Scenario = {
  name: 'pick',
  seconds: () => 5,
  run: async () => {
    const policy = new LeastBusyPolicy();
    const results = plan.map(({ servers, picks }) => {
      // In-flight counts 0-7, scattered but the same every run, as in real pools: ties are common, which
      // exercises the tie-breaking path.
      const pool = Array.from({ length: servers }, (_, index) => {
        const inFlight = Math.imul(index + 1, 0x9e3779b1) >>> 29;
        return { url: `http://10.0.${index >> 8}.${index & 255}:8000`, inFlight, cost: inFlight };
      });
      timePicks(policy, pool, picks); // warm-up: let the JIT optimize pick() for this pool's shape
      const nsByRepetition = Array.from({ length: repetitions }, () => timePicks(policy, pool, picks));
      return { servers, picks, nsPerPick: median(nsByRepetition), nsByRepetition };
    });
    console.log(heading('pick: LeastBusyPolicy.pick() cost'));
    console.log(`\nall servers eligible, in-flight 0-7, median of ${repetitions}\n`);
    const rows = results.map((result) => [String(result.servers), result.picks, fixed(result.nsPerPick, 1)]);
    console.log(formatTable(['servers', 'picks', 'ns/pick'], rows));
    const atTarget = results.find((result) => result.servers === 1000)?.nsPerPick ?? Number.NaN;
    const check = checkBound('<= 1 µs per pick at 1,000 servers', atTarget / 1000, '<=', 1, 'µs per pick');
    printTargets([check]);
    if (sink < 0) console.log(sink); // never true; reading it is what keeps the picks alive
    await writeResults('pick', { repetitions, results });
    return [check];
  },
};
