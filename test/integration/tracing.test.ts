import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { test } from 'node:test';
import { createBalancedClient } from '../../src/index.js';
import { firstEligible } from '../helpers/policies.js';
import { refusedUrl, startCalculators } from '../helpers/servers.js';

const names = [
  'soap-balancer:call:start',
  'soap-balancer:attempt:start',
  'soap-balancer:attempt:end',
  'soap-balancer:call:end',
] as const;

test('calls and attempts are published on diagnostics channels, failover and answers included', async (t) => {
  const [healthy] = await startCalculators(t, 1);
  const dead = await refusedUrl();
  const seen: { name: string; message: Record<string, unknown> }[] = [];
  const listeners = names.map((name) => {
    const listener = (message: unknown) => seen.push({ name, message: message as Record<string, unknown> });
    subscribe(name, listener);
    return [name, listener] as const;
  });
  t.after(() => {
    for (const [name, listener] of listeners) unsubscribe(name, listener);
  });
  const client = await createBalancedClient(healthy!.wsdlUrl, {
    servers: [dead, healthy!.url],
    policy: firstEligible,
    downBackoffMs: 1,
    maxDownBackoffMs: 1,
    idempotent: ['Add'],
  });
  t.after(() => client.close());
  await new Promise((resolve) => setTimeout(resolve, 5)); // the dead server's 1 ms backoff, so it is tried first
  seen.length = 0;

  await client.AddAsync({ a: 1, b: 2 });

  assert.deepEqual(
    seen.map(({ name, message }) => [
      name,
      message.server ?? null,
      message.result ?? null,
      message.status ?? null,
    ]),
    [
      ['soap-balancer:call:start', null, null, null],
      ['soap-balancer:attempt:start', dead, null, null],
      ['soap-balancer:attempt:end', dead, 'unreachable', null],
      ['soap-balancer:attempt:start', healthy!.url, null, null],
      ['soap-balancer:attempt:end', healthy!.url, 'answered', 200],
      ['soap-balancer:call:end', null, null, 200],
    ],
  );
  const call = seen[0]!.message.call;
  assert.deepEqual(call, { kind: 'call', operation: 'Add', path: '/calculator', idempotent: true });
  assert.ok(
    seen.every(({ message }) => message.call === call),
    'one message object per call, start to end',
  );
  assert.equal(typeof seen.at(-1)!.message.durationMs, 'number');
});

test('a call that fails is published with its error', async (t) => {
  const dead = await refusedUrl();
  const [healthy] = await startCalculators(t, 1);
  const ends: Record<string, unknown>[] = [];
  const listener = (message: unknown) => ends.push(message as Record<string, unknown>);
  subscribe('soap-balancer:call:end', listener);
  t.after(() => unsubscribe('soap-balancer:call:end', listener));
  const client = await createBalancedClient(healthy!.wsdlUrl, { servers: [healthy!.url, dead] });
  t.after(() => client.close());
  healthy!.kill();
  ends.length = 0;

  await client.AddAsync({ a: 1, b: 2 }).catch(() => undefined);
  assert.equal(ends.length, 1);
  assert.equal((ends[0]!.error as { code?: string }).code?.startsWith('SOAPBAL_'), true);
});
