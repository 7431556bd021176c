// Errors are counted by kind, not by message, so that a table can show what failed and how often:
// soap-balancer's stable code when it is one, else the HTTP status or the socket error code.
import { isSoapBalancerError } from '../src/index.js';

export function errorKind(error: unknown): string {
  if (isSoapBalancerError(error)) return error.code;
  if (typeof error === 'object' && error !== null) {
    const { response, code } = error as { response?: { status?: unknown }; code?: unknown };
    if (typeof response?.status === 'number') return `HTTP ${response.status}`;
    if (typeof code === 'string' && code !== '') return code;
    if (error instanceof Error) {
      // Numbers (ports, timings) would make every message its own kind.
      const message = error.message.replace(/\d+/g, 'N').slice(0, 48);
      return `${error.name}: ${message}`;
    }
  }
  return `non-error ${typeof error}`;
}

/** `{ A: 2, B: 1 }` as `A 2, B 1`; `-` for none. */
export function formatErrors(errors: Readonly<Record<string, number>>): string {
  const entries = Object.entries(errors).sort(([, a], [, b]) => b - a);
  return entries.length === 0 ? '-' : entries.map(([kind, count]) => `${kind} ${count}`).join(', ');
}
