// The targets, checked and printed the same way everywhere: PASS, MISS, or n/a when there is
// nothing to compare with (HAProxy absent).
import { type Cell, fixed, formatTable } from './format.js';

export type Verdict = 'PASS' | 'MISS' | 'n/a';

export interface TargetCheck {
  readonly target: string;
  /** The measured value, as printed. */
  readonly measured: string;
  readonly verdict: Verdict;
  readonly note?: string;
}

/** `measured >= bound` (`'>='`) or `measured <= bound` (`'<='`); n/a when measured is not a number. */
export function checkBound(
  target: string,
  measured: number,
  op: '>=' | '<=',
  bound: number,
  digits = 2,
  note?: string,
): TargetCheck {
  const verdict: Verdict = !Number.isFinite(measured)
    ? 'n/a'
    : (op === '>=' ? measured >= bound : measured <= bound)
      ? 'PASS'
      : 'MISS';
  return { target, measured: fixed(measured, digits), verdict, ...(note === undefined ? {} : { note }) };
}

export function printTargets(checks: readonly TargetCheck[]): void {
  const rows: Cell[][] = checks.map((check) => [
    check.target,
    check.measured,
    check.verdict,
    check.note ?? '',
  ]);
  console.log(formatTable(['target', 'measured', 'verdict', 'note'], rows, 'lrll'));
}
