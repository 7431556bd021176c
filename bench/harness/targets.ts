// The targets, checked and printed the same way everywhere: PASS, MISS, or n/a when there is nothing to
// compare with (HAProxy absent).
import { fixed, formatTable } from './table.js';

export interface TargetCheck {
  readonly target: string;
  /** The measured value, as printed. */
  readonly measured: string;
  readonly verdict: 'PASS' | 'MISS' | 'n/a';
  readonly note: string;
}

/** `measured >= bound` or `measured <= bound`; n/a when nothing was measured. */
export function checkBound(
  target: string,
  measured: number,
  op: '>=' | '<=',
  bound: number,
  note = '',
): TargetCheck {
  const pass = op === '>=' ? measured >= bound : measured <= bound;
  return {
    target,
    measured: fixed(measured, 3),
    verdict: Number.isNaN(measured) ? 'n/a' : pass ? 'PASS' : 'MISS',
    note,
  };
}

/** PASS when every repetition passes; `measured` shows each one's value. */
export function checkEach<T>(
  target: string,
  reps: readonly T[],
  measured: (rep: T) => string | number,
  passes: (rep: T) => boolean,
  note = '',
): TargetCheck {
  const verdict = reps.length === 0 ? 'n/a' : reps.every(passes) ? 'PASS' : 'MISS';
  return { target, measured: reps.map(measured).join(' '), verdict, note };
}

export function printTargets(checks: readonly TargetCheck[]): void {
  const rows = checks.map((check) => [check.target, check.measured, check.verdict, check.note]);
  if (rows.length > 0) console.log(`\n${formatTable(['target', 'measured', 'verdict', 'note'], rows)}`);
}
