import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertExitsByItself } from '../helpers/exits-by-itself.js';

test('the demo (README’s first command) runs: every call succeeds and the calls spread over the replicas', async () => {
  // Piped, not a terminal: the brief run.
  const output = await assertExitsByItself(['examples/demo.ts']);
  assert.match(output, /^Dashboard: http:\/\/127\.0\.0\.1:\d+\/ /m);
  assert.match(
    output,
    /^\[monitor\] \S+Z (INFO |WARN ) first round done: 3 of 3 servers alive$/m,
    'the monitor’s lines are prefixed',
  );

  assert.match(output, /120 calls, 120 succeeded, 0 failed\./);
  const served = [...output.matchAll(/replica-(\d): +(\d+) calls \((\d+) after the kill\)/g)].map(
    ([, replica, calls, afterKill]) => ({ replica, calls: Number(calls), afterKill: Number(afterKill) }),
  );
  assert.equal(served.length, 3, output);
  assert.ok(
    served.filter((entry) => entry.calls > 0).length >= 2,
    `calls went to several replicas:\n${output}`,
  );
  assert.equal(
    served.find((entry) => entry.replica === '2')?.afterKill,
    0,
    'the killed replica got nothing after',
  );
  // The closing line says what the counts say.
  const [slow, ...others] = [1, 2, 3].map(
    (replica) => served.find((entry) => entry.replica === String(replica))!.calls,
  );
  const average = (others[0]! + others[1]!) / 2;
  const slowPart =
    slow! < average
      ? `sent it fewer calls (${slow}, against ${Math.round(average)} on average`
      : 'yet got as many calls';
  assert.ok(output.includes(slowPart), `${slowPart}\n${output}`);
  assert.match(output, /replica-2 got none once dead\.$/m);
});
