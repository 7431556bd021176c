// `npm run bench [-- <scenario>...] [--duration-s N] [--warmup-s N] [--reps N]`: runs the scenarios in
// turn, each printing its tables and writing `.bench-results/<scenario>.json`, then sums up every
// target. The whole run is bounded in time, and every process it starts is killed.
import { installGuards, killAll } from './harness/processes.js';
import type { Scenario } from './harness/scenario.js';
import { type BenchSettings, parseSettings, usage } from './harness/settings.js';
import { heading } from './harness/table.js';
import { printTargets, type TargetCheck } from './harness/targets.js';
import {
  heterogeneous,
  identical,
  manyHeterogeneous,
  manyHeterogeneousUnreported,
  manyIdentical,
  manyIdenticalUnreported,
} from './scenarios/balancing.js';
import { etcdPropagation } from './scenarios/etcd-propagation.js';
import { etcdScale } from './scenarios/etcd-scale.js';
import { failover } from './scenarios/failover.js';
import { monitorScale } from './scenarios/monitor-scale.js';
import { cpu, overhead } from './scenarios/overhead.js';
import { pick } from './scenarios/pick.js';
import { proxy } from './scenarios/proxy.js';
import { proxyCpu } from './scenarios/proxy-cpu.js';

/** Every scenario, in the order a full run takes them. */
const scenarios: readonly Scenario[] = [
  heterogeneous,
  identical,
  manyHeterogeneous,
  manyIdentical,
  manyHeterogeneousUnreported,
  manyIdenticalUnreported,
  failover,
  overhead,
  cpu,
  pick,
  monitorScale,
  etcdPropagation,
  etcdScale,
  proxy,
  proxyCpu,
];
const names = scenarios.map((scenario) => scenario.name);

let settings: BenchSettings;
try {
  settings = parseSettings(process.argv.slice(2), names);
} catch (error: unknown) {
  // A usage mistake needs its message, not a stack trace.
  console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
  console.error(`Scenarios: ${names.join(', ')} (default: all)`);
  process.exit(2);
}
const selected = scenarios.filter((scenario) => settings.scenarios.includes(scenario.name));
const plannedS = selected.reduce((sum, scenario) => sum + scenario.seconds(settings), 0);
// Generous: a slow machine may take longer than planned, but never twice as long plus two minutes.
installGuards((2 * plannedS + 120) * 1000);
const plan = selected.map((scenario) => scenario.name).join(', ');
console.log(`soap-balancer benchmarks: ${plan}; planned about ${Math.ceil(plannedS / 60)} min`);
const { durationS, warmupS, reps } = settings;
console.log(`${durationS} s measured per run after ${warmupS} s warm-up, median of ${reps} rep(s)`);

const summary: TargetCheck[] = [];
const failed: string[] = [];
for (const scenario of selected) {
  try {
    for (const check of await scenario.run(settings))
      summary.push({ ...check, target: `${scenario.name}: ${check.target}` });
  } catch (error: unknown) {
    failed.push(scenario.name);
    console.error(`\n${scenario.name} failed:`, error);
  } finally {
    killAll();
  }
}
console.log(heading('all targets'));
printTargets(summary);
if (failed.length > 0) {
  console.error(`\nscenarios that failed to run: ${failed.join(', ')}`);
  process.exitCode = 1;
}
