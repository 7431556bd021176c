import assert from 'node:assert/strict';
import type { PickView, SelectionPolicy, ServerView } from '../../src/balancer/policy.js';
import { type ErrorCode, isSoapBalancerError, type SoapBalancerError } from '../../src/errors.js';

/** Asserts that `error` is a SoapBalancerError with `code`, and returns it typed. */
export function assertSoapError(error: unknown, code: ErrorCode): SoapBalancerError {
  assert.ok(isSoapBalancerError(error), `expected a SoapBalancerError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  return error;
}

/** Runs `fn` and returns the SoapBalancerError with `code` it throws. */
export function catchSoapError(fn: () => unknown, code: ErrorCode): SoapBalancerError {
  try {
    fn();
  } catch (error: unknown) {
    return assertSoapError(error, code);
  }
  assert.fail(`expected ${code} to be thrown`);
}

/** Awaits `promise` and returns the SoapBalancerError with `code` it rejects with. */
export async function rejectsSoapError(
  promise: Promise<unknown>,
  code: ErrorCode,
): Promise<SoapBalancerError> {
  try {
    await promise;
  } catch (error: unknown) {
    return assertSoapError(error, code);
  }
  assert.fail(`expected ${code} to be rejected`);
}

/** A deterministic policy: the first eligible server in list order. */
export const firstEligible: SelectionPolicy = {
  name: 'first',
  pick: (view) => view.servers.find((server) => view.isEligible(server)),
};

/** An error shaped like the ones node's net/http layer raises. */
export function transportError(code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`transport failure ${code}`), { code }, extra);
}

/** A random source that returns `values` in turn, cycling. */
export function sequence(...values: number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length] ?? 0;
}

/** A pick view over plain server records, for policy tests: every server eligible unless told. */
export function viewOf(
  servers: readonly ServerView[],
  isEligible: (server: ServerView) => boolean = () => true,
): PickView {
  return { servers, isEligible };
}
