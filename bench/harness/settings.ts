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
  /** `overhead` and `cpu`: sequential calls per block, and warm-up calls before each block. */
  readonly calls: number;
  readonly warmupCalls: number;
}

export const usage = `Usage: npm run bench [-- <scenario>...] [--duration-s N] [--warmup-s N] [--reps N]
                                        [--calls N] [--warmup-calls N]
  --duration-s N    measured seconds per run (default 10)
  --warmup-s N      seconds of calls before measuring, per run (default 2)
  --reps N          repetitions of each run, the median is reported (default 3)
  --calls N         overhead/cpu: sequential calls per block (default 2000)
  --warmup-calls N  overhead/cpu: warm-up calls before each block (default 300)
Quick smoke run: npm run bench -- identical --duration-s 3 --warmup-s 1 --reps 1`;

export function parseSettings(argv: readonly string[], known: readonly string[]): BenchSettings {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      'duration-s': { type: 'string', default: '10' },
      'warmup-s': { type: 'string', default: '2' },
      reps: { type: 'string', default: '3' },
      calls: { type: 'string', default: '2000' },
      'warmup-calls': { type: 'string', default: '300' },
    },
  });
  const unknown = positionals.find((name) => !known.includes(name));
  if (unknown !== undefined)
    throw new TypeError(`Unknown scenario \`${unknown}\`: expected one of ${known.join(', ')}`);
  return {
    scenarios: positionals.length === 0 ? known : [...new Set(positionals)],
    durationS: numberAtLeast('--duration-s', values['duration-s'], 0.5),
    warmupS: numberAtLeast('--warmup-s', values['warmup-s'], 0),
    reps: numberAtLeast('--reps', values.reps, 1, true),
    calls: numberAtLeast('--calls', values.calls, 1, true),
    warmupCalls: numberAtLeast('--warmup-calls', values['warmup-calls'], 0, true),
  };
}

function numberAtLeast(option: string, text: string, minimum: number, integer = false): number {
  const value = Number(text);
  if (text.trim() === '' || !(value >= minimum) || (integer && !Number.isInteger(value)))
    throw new RangeError(
      `Expected ${option} to be ${integer ? 'an integer' : 'a number'} >= ${minimum}, got \`${text}\``,
    );
  return value;
}
