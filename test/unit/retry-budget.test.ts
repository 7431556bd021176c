import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Balancer } from '../../src/balancer/balancer.js';
import { RetryBudget } from '../../src/balancer/retry-budget.js';
import { retryBudgetSettings } from '../../src/client/retry-budget-option.js';
import { firstEligible } from './helpers.js';

describe('RetryBudget', () => {
  const clock = { now: 0 };
  const budget = (percent: number, minPerSecond: number, windowMs = 10_000) =>
    new RetryBudget({ percent, minPerSecond, windowMs }, () => clock.now);
  const withdrawals = (retries: RetryBudget, tries: number) =>
    Array.from({ length: tries }, () => retries.tryWithdraw()).filter(Boolean).length;

  test('allows minPerSecond × window seconds with no traffic, then refuses', () => {
    clock.now = 1_000_000;
    assert.equal(withdrawals(budget(0.2, 1), 50), 10);
  });

  test('adds percent of the calls of the window', () => {
    clock.now = 1_000_000;
    const retries = budget(0.2, 0);
    for (let i = 0; i < 100; i++) retries.deposit();
    assert.equal(withdrawals(retries, 100), 20);
  });

  test('forgets calls and retries older than the window', () => {
    clock.now = 1_000_000;
    const retries = budget(0.5, 0, 3_000);
    for (let i = 0; i < 10; i++) retries.deposit();
    assert.equal(withdrawals(retries, 10), 5);
    clock.now += 2_000;
    assert.equal(withdrawals(retries, 10), 0, 'still in the window');
    clock.now += 1_000;
    assert.equal(withdrawals(retries, 10), 0, 'the calls left the window with the retries');
    for (let i = 0; i < 4; i++) retries.deposit();
    assert.equal(withdrawals(retries, 10), 2);
  });
});

describe('retry budget in the balancer', () => {
  test('a retry beyond the budget is refused; first attempts and document fetches are never refused', () => {
    const balancer = new Balancer({
      servers: ['http://a', 'http://b'],
      policy: firstEligible,
      downBackoffMs: 1000,
      maxDownBackoffMs: 1000,
      retryBudget: { percent: 0, minPerSecond: 0.1, windowMs: 10_000 },
    });
    const previous = { server: 'http://a', failure: 'unreachable' as const };
    const retry = () => balancer.pick({ operation: 'Op', previous, exclude: new Set(['http://a']) }).type;
    assert.equal(retry(), 'picked', 'the floor: 0.1/s over 10 s is one retry');
    assert.equal(retry(), 'retry-budget-spent');
    assert.equal(balancer.pick({ operation: 'Op' }).type, 'picked');
    assert.equal(
      balancer.pick({ operation: undefined, previous, exclude: new Set(['http://a']), budgeted: false }).type,
      'picked',
    );
  });
});

describe('retryBudget option', () => {
  test('defaults to 20% plus 10/s over 10 s; false turns it off; bad fields are named', () => {
    assert.deepEqual(retryBudgetSettings(undefined), { percent: 0.2, minPerSecond: 10, windowMs: 10_000 });
    assert.equal(retryBudgetSettings(false), undefined);
    assert.deepEqual(retryBudgetSettings({ percent: 0.5 }), {
      percent: 0.5,
      minPerSecond: 10,
      windowMs: 10_000,
    });
    assert.throws(() => retryBudgetSettings({ percent: 2 }), /`retryBudget.percent`/);
    assert.throws(() => retryBudgetSettings({ windowMs: 10 }), /`retryBudget.windowMs`/);
    assert.throws(() => retryBudgetSettings({ ttl: 1 }), /Unknown option `retryBudget.ttl`/);
    assert.throws(() => retryBudgetSettings('yes'), TypeError);
  });
});
