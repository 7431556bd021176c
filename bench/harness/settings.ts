// Command line of `npm run bench`: which scenarios, and how long each measured run lasts.
import { parseArgs } from 'node:util';

export interface BenchSettings {
  /** Scenario names in the order given (all known scenarios when none is given). */
  readonly scenarios: readonly string[];
  /** Measured seconds per run. */
  readonly durationS: number;
  /** Seconds each run calls before measuring (JIT, sockets, the monitor's view of the load). */
  readonly warmupS: number;
  /** Repetitions of each run; tables report the median. */
  readonly reps: number;
}

export const usage = `Usage: npm run bench [-- <scenario>...] [--duration-s N] [--warmup-s N] [--reps N]
  --duration-s N  measured seconds per run (default 10)
  --warmup-s N    seconds of calls before measuring, per run (default 2)
  --reps N        repetitions of each run, the median is reported (default 3)
Quick smoke run: npm run bench -- identical --duration-s 3 --warmup-s 1 --reps 1`;

export function parseSettings(argv: readonly string[], known: readonly string[]): BenchSettings {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      'duration-s': { type: 'string', default: '10' },
      'warmup-s': { type: 'string', default: '2' },
      reps: { type: 'string', default: '3' },
    },
  });
  const unknown = positionals.find((name) => !known.includes(name));
  if (unknown !== undefined)
    throw new TypeError(`Unknown scenario \`${unknown}\`: expected one of ${known.join(', ')}`);
  const reps = Number(values.reps);
  if (!Number.isInteger(reps) || reps < 1)
    throw new RangeError(`Expected --reps to be an integer >= 1, got \`${values.reps}\``);
  return {
    scenarios: positionals.length === 0 ? known : [...new Set(positionals)],
    durationS: seconds('--duration-s', values['duration-s'], 0.5),
    warmupS: seconds('--warmup-s', values['warmup-s'], 0),
    reps,
  };
}

function seconds(option: string, text: string, minimum: number): number {
  const value = Number(text);
  if (text.trim() === '' || !(value >= minimum) || value === Number.POSITIVE_INFINITY)
    throw new RangeError(`Expected ${option} to be a number >= ${minimum}, got \`${text}\``);
  return value;
}
