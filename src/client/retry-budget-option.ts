import {
  defaultRetryBudget,
  type RetryBudgetOptions,
  type RetryBudgetSettings,
} from '../balancer/retry-budget.js';
import { describe, isPlainObject, numberInRange, timerMs } from '../validate.js';

/** Validates the `retryBudget` option: `false` turns the budget off. */
export function retryBudgetSettings(value: unknown): RetryBudgetSettings | undefined {
  if (value === undefined) return defaultRetryBudget;
  if (value === false) return undefined;
  if (!isPlainObject(value)) {
    throw new TypeError(`Expected \`retryBudget\` to be an object or false, got ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!(key in defaultRetryBudget)) throw new TypeError(`Unknown option \`retryBudget.${key}\``);
  }
  const options = value as RetryBudgetOptions;
  return {
    percent: numberInRange(
      'retryBudget.percent',
      options.percent ?? defaultRetryBudget.percent,
      0,
      1.000_001,
    ),
    minPerSecond: numberInRange(
      'retryBudget.minPerSecond',
      options.minPerSecond ?? defaultRetryBudget.minPerSecond,
      0,
      1_000_001,
    ),
    windowMs: timerMs('retryBudget.windowMs', options.windowMs ?? defaultRetryBudget.windowMs, 1000),
  };
}
