import type { Client } from 'soap';
import type { OperationTracker } from '../transport/operation-tracker.js';

type Invoke = (this: Client, method: { $name?: string }, ...rest: unknown[]) => unknown;

/**
 * Lets the transport know which operation each request belongs to (for `idempotent`), by wrapping
 * node-soap's `Client._invoke`, the one method every call style goes through. This is the only place
 * that relies on node-soap's private API; `test/integration` covers each call style.
 */
export function trackOperations(client: Client, operations: OperationTracker): void {
  const target = client as unknown as { _invoke: Invoke };
  const invoke = target._invoke;
  if (typeof invoke !== 'function')
    throw new TypeError('Unsupported node-soap version: Client._invoke not found');
  target._invoke = function (this: Client, method, ...rest) {
    const previous = operations.enter(method.$name ?? '');
    try {
      return invoke.call(this, method, ...rest);
    } finally {
      operations.exit(previous);
    }
  };
}
