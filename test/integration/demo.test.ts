import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertExitsByItself } from '../helpers/exits-by-itself.js';

test('the demo (README’s first command) runs: every call succeeds and the calls spread over the replicas', async () => {
  const output = await assertExitsByItself(['examples/demo.ts']);

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
});
