// The targets, checked and printed the same way everywhere: PASS, MISS, or n/a when there is
// nothing to compare with (HAProxy absent).
import { fixed, formatTable } from './table.js';

export type Verdict = 'PASS' | 'MISS' | 'n/a';

export interface TargetCheck {
  readonly target: string;
  /** The measured value, as printed. */
  readonly measured: string;
  readonly verdict: Verdict;
  readonly note?: string;
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
  const verdict = Number.isFinite(measured) ? (pass ? 'PASS' : 'MISS') : 'n/a';
  return { target, measured: fixed(measured, 3), verdict, note };
}

/** PASS when every repetition passed. */
export function checkAll(
  target: string,
  measured: string,
  passes: readonly boolean[],
  note = '',
): TargetCheck {
  const verdict = passes.length === 0 ? 'n/a' : passes.every(Boolean) ? 'PASS' : 'MISS';
  return { target, measured, verdict, note };
}

export function printTargets(checks: readonly TargetCheck[]): void {
  if (checks.length === 0) return;
  const rows = checks.map((check) => [check.target, check.measured, check.verdict, check.note ?? '']);
  console.log(`\n${formatTable(['target', 'measured', 'verdict', 'note'], rows)}`);
}
