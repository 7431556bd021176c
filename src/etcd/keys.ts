/**
 * How soap-balancer lays out its keys in etcd: one key per server under a prefix,
 * `<prefix><encodeURIComponent(server id)>`, e.g. `/soap-balancer/v1/orders/replica-1`, whose value is
 * that server's status (`ServerStatus` JSON, schema v1). Keys and values travel base64-encoded in
 * etcd's JSON gateway.
 */

/** The status of one server is a few hundred bytes; a value beyond this is rejected as hostile. */
export const maxStatusValueBytes = 16 * 1024;

/** Base64 of a string's UTF-8 bytes, as the gateway wants keys and values. */
export function toBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The string a base64 key or value stands for. */
export function fromBase64(encoded: string): string {
  return Buffer.from(encoded, 'base64').toString('utf8');
}

/** The key of one server's status under `prefix`: the id is URI-encoded, so it never adds a level. */
export function serverKey(prefix: string, id: string): string {
  return `${prefix}${encodeURIComponent(id)}`;
}

/** The server id a key under `prefix` names; `undefined` for a key that is not one of ours. */
export function serverIdOf(prefix: string, key: string): string | undefined {
  if (!key.startsWith(prefix) || key.length === prefix.length) return undefined;
  try {
    return decodeURIComponent(key.slice(prefix.length));
  } catch {
    return undefined;
  }
}

/**
 * The `range_end` (base64) that makes a range or watch cover every key starting with `prefix`: the
 * prefix with its last byte incremented (bytes 0xff are dropped first), as etcd's clients compute it.
 */
export function prefixRangeEnd(prefix: string): string {
  const bytes = [...Buffer.from(prefix, 'utf8')];
  while (bytes.length > 0 && bytes[bytes.length - 1] === 0xff) bytes.pop();
  if (bytes.length === 0) return toBase64('\0');
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) + 1;
  return Buffer.from(bytes).toString('base64');
}

/**
 * The monitors' election key: next to the prefix, not under it, so that a status watcher never sees
 * it (`/soap-balancer/v1/orders/` → `/soap-balancer/v1/orders.monitor-leader`).
 */
export function electionKey(prefix: string): string {
  return `${prefix.slice(0, -1)}.monitor-leader`;
}
