// `npm run bench [-- <scenario>...] [--duration-s N] [--warmup-s N] [--reps N]` (see settings.ts):
// runs the scenarios in turn, each printing its tables and writing `.bench-results/<scenario>.json`,
// then sums up every target. The whole run is bounded in time, and every process it starts is killed.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, runCpu } from './balancer-cpu.js';
import { heading } from './format.js';
import { overheadSeconds, runOverhead } from './overhead.js';
import { runPick } from './pick.js';
import { installGuards, killChildren } from './processes.js';
import { comparisonSeconds, runComparison } from './scenarios/compare.js';
import { failoverSeconds, runFailover } from './scenarios/failover.js';
import { heterogeneous, identical } from './scenarios/load-scenarios.js';
import { type BenchSettings, parseSettings, usage } from './settings.js';
import { printTargets, type TargetCheck } from './targets.js';

interface Scenario {
  readonly name: string;
  /** Rough duration with these settings, for the plan and the guard timer. */
  readonly seconds: (settings: BenchSettings) => number;
  readonly run: (settings: BenchSettings) => Promise<readonly TargetCheck[]>;
}

const none = async (run: Promise<void>): Promise<readonly TargetCheck[]> => {
  await run;
  return [];
};

const builtIn: readonly Scenario[] = [
  {
    name: 'heterogeneous',
    seconds: (s) => comparisonSeconds(heterogeneous, s),
    run: (s) => runComparison(heterogeneous, s),
  },
  {
    name: 'identical',
    seconds: (s) => comparisonSeconds(identical, s),
    run: (s) => runComparison(identical, s),
  },
  { name: 'failover', seconds: failoverSeconds, run: runFailover },
  { name: 'overhead', seconds: overheadSeconds, run: (s) => none(runOverhead(s)) },
  { name: 'cpu', seconds: cpuSeconds, run: (s) => none(runCpu(s)) },
  { name: 'pick', seconds: () => 5, run: () => runPick() },
];

/**
 * `monitor-scale` lives in bench/monitor-scale.ts, written separately: it joins the suite when that
 * file exists and exports `runMonitorScale(settings)` (printed by its `printMonitorScale(report)`, if
 * any). The specifier is a variable so that this file type-checks with or without it.
 */
async function optionalScenarios(): Promise<Scenario[]> {
  if (!existsSync(fileURLToPath(new URL('./monitor-scale.ts', import.meta.url)))) return [];
  const specifier = './monitor-scale.js';
  const module = (await import(specifier)) as Record<string, unknown>;
  const { runMonitorScale, printMonitorScale } = module;
  if (typeof runMonitorScale !== 'function') {
    console.error('bench/monitor-scale.ts exports no runMonitorScale(settings): monitor-scale skipped');
    return [];
  }
  // It measures CPU over whole seconds, at least 5 of them.
  const durationOf = (s: BenchSettings) => Math.max(5, Math.ceil(s.durationS));
  return [
    {
      name: 'monitor-scale',
      seconds: (s) => 30 + durationOf(s),
      run: async (s) => {
        const report: unknown = await runMonitorScale({ ...s, durationS: durationOf(s) });
        if (typeof printMonitorScale === 'function') printMonitorScale(report);
        return monitorScaleChecks(report);
      },
    },
  ];
}

/** The CPU target of monitor-scale, from its report, for the summary at the end. */
function monitorScaleChecks(report: unknown): TargetCheck[] {
  const cpu = (report as { cpu?: { shareOfOneCore?: unknown; pass?: unknown } } | undefined)?.cpu;
  if (typeof cpu?.shareOfOneCore !== 'number' || typeof cpu.pass !== 'boolean') return [];
  return [
    {
      target: 'monitor CPU at 1,000 servers < 25% of one core',
      measured: `${(100 * cpu.shareOfOneCore).toFixed(1)}%`,
      verdict: cpu.pass ? 'PASS' : 'MISS',
    },
  ];
}

async function main(): Promise<void> {
  const scenarios = [...builtIn, ...(await optionalScenarios())];
  let settings: BenchSettings;
  try {
    settings = parseSettings(
      process.argv.slice(2),
      scenarios.map((scenario) => scenario.name),
    );
  } catch (error: unknown) {
    // A usage mistake needs its message, not a stack trace.
    console.error(error instanceof Error ? error.message : String(error));
    console.error(usage);
    console.error(`Scenarios: ${scenarios.map((scenario) => scenario.name).join(', ')} (default: all)`);
    process.exitCode = 2;
    return;
  }
  const selected = scenarios.filter((scenario) => settings.scenarios.includes(scenario.name));
  const plannedS = selected.reduce((sum, scenario) => sum + scenario.seconds(settings), 0);
  // Generous: a slow machine may take longer than planned, but never twice as long plus two minutes.
  installGuards((2 * plannedS + 120) * 1000);
  const { durationS, warmupS, reps } = settings;
  console.log(`soap-balancer benchmarks: ${selected.map((scenario) => scenario.name).join(', ')}`);
  console.log(`${durationS} s measured per run after ${warmupS} s warm-up, median of ${reps} rep(s);`);
  console.log(`planned about ${Math.ceil(plannedS / 60)} min`);

  const summary: { scenario: string; check: TargetCheck }[] = [];
  const failed: string[] = [];
  for (const scenario of selected) {
    try {
      for (const check of await scenario.run(settings)) summary.push({ scenario: scenario.name, check });
    } catch (error: unknown) {
      failed.push(scenario.name);
      console.error(`\n${scenario.name} failed:`, error);
    } finally {
      killChildren();
    }
  }
  if (summary.length > 0) {
    console.log(heading('all targets'));
    console.log('');
    printTargets(
      summary.map(({ scenario, check }) => ({ ...check, target: `${scenario}: ${check.target}` })),
    );
  }
  if (failed.length > 0) {
    console.error(`\nscenarios that failed to run: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
