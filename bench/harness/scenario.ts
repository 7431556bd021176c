// What a scenario is: a name, a rough duration (for the plan and the guard timer), and a run that
// prints its tables, writes its results file and returns its targets for the summary.
import type { BenchSettings } from './settings.js';
import type { TargetCheck } from './targets.js';

export interface Scenario {
  readonly name: string;
  readonly seconds: (settings: BenchSettings) => number;
  readonly run: (settings: BenchSettings) => Promise<readonly TargetCheck[]>;
}
