import { fromBase64, maxStatusValueBytes } from './keys.js';

/** One key-value as etcd's gateway gives it (`kvs[i]`, `events[i].kv`), decoded. */
export interface KeyValue {
  readonly key: string;
  /** The value's text; `undefined` when it exceeds {@link maxStatusValueBytes} (never decoded). */
  readonly value: string | undefined;
  readonly modRevision: number;
  /** The lease the key is bound to (`'0'`: none). Lease ids are 64-bit, so kept as decimal text. */
  readonly lease: string;
}

/**
 * Decodes a gateway key-value, or returns `undefined` for one that is not shaped like one. Revisions
 * are int64 in decimal text; as numbers they stay exact up to 2^53, far beyond any store's history.
 */
export function decodeKeyValue(value: unknown): KeyValue | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const kv = value as Record<string, unknown>;
  if (typeof kv.key !== 'string') return undefined;
  const encoded = typeof kv.value === 'string' ? kv.value : '';
  // Base64 takes 4 characters for 3 bytes: judged before decoding, so a huge value costs nothing more.
  const tooLarge = (encoded.length * 3) / 4 > maxStatusValueBytes + 2;
  return {
    key: fromBase64(kv.key),
    value: tooLarge ? undefined : fromBase64(encoded),
    modRevision: revisionOf(kv.mod_revision),
    lease: typeof kv.lease === 'string' && /^\d+$/.test(kv.lease) ? kv.lease : '0',
  };
}

/** A revision field (decimal text in the gateway's JSON); 0 when absent. */
export function revisionOf(value: unknown): number {
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) return Number(value);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  return 0;
}

/** `header.revision` of a gateway answer. */
export function headerRevision(answer: Record<string, unknown>): number {
  const header = answer.header;
  return typeof header === 'object' && header !== null
    ? revisionOf((header as Record<string, unknown>).revision)
    : 0;
}
