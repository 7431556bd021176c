import { maxStatusValueBytes, serverIdOf } from '../etcd/keys.js';
import type { KeyValue } from '../etcd/kv.js';
import { normalizeBaseUrl } from '../urls.js';
import { InvalidStatusError, parseServerStatus, type ServerStatus } from './schema.js';

/**
 * The servers' statuses as etcd holds them, one per key, with the changes a batch of watch events
 * makes to the pool: what to upsert, and which URLs no key lists any more. The owner of the key →
 * status map; costs O(events) per batch (no pass over the whole pool).
 */
export class EtcdStatusValues {
  readonly #prefix: string;
  readonly #byKey = new Map<string, ServerStatus>();
  /** How many keys list each (normalized) URL: a URL leaves the pool when its last key goes. */
  readonly #keysPerUrl = new Map<string, number>();

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  /** Every valid status held. */
  get statuses(): ServerStatus[] {
    return [...this.#byKey.values()];
  }

  /**
   * Replaces everything with a range's key-values. Invalid values are left out and returned as errors.
   */
  reset(kvs: readonly KeyValue[]): InvalidStatusError[] {
    this.#byKey.clear();
    this.#keysPerUrl.clear();
    const errors: InvalidStatusError[] = [];
    for (const kv of kvs) {
      try {
        this.#set(kv.key, this.#parse(kv));
      } catch (error: unknown) {
        errors.push(error as InvalidStatusError);
      }
    }
    return errors;
  }

  /**
   * Applies one batch of watch events. An invalid value leaves the key's previous status in place (as
   * an invalid monitor answer keeps the last status) and is returned among `errors`.
   */
  apply(events: readonly { readonly type: 'put' | 'delete'; readonly kv: KeyValue }[]): {
    upserts: ServerStatus[];
    removals: string[];
    errors: InvalidStatusError[];
  } {
    const upserts = new Map<string, ServerStatus>();
    const gone = new Set<string>();
    const errors: InvalidStatusError[] = [];
    for (const { type, kv } of events) {
      if (type === 'delete') {
        const url = this.#delete(kv.key);
        if (url !== undefined) gone.add(url);
        upserts.delete(kv.key);
        continue;
      }
      let status: ServerStatus;
      try {
        status = this.#parse(kv);
      } catch (error: unknown) {
        errors.push(error as InvalidStatusError);
        continue;
      }
      const previous = this.#byKey.get(kv.key);
      if (previous?.url === status.url) {
        // The common case, a new load for the same server: no URL to parse, no count to change.
        this.#byKey.set(kv.key, status);
      } else {
        const previousUrl = this.#delete(kv.key);
        if (previousUrl !== undefined) gone.add(previousUrl);
        this.#set(kv.key, status);
      }
      upserts.set(kv.key, status);
    }
    const removals = [...gone].filter((url) => !this.#keysPerUrl.has(url));
    return { upserts: [...upserts.values()], removals, errors };
  }

  #parse(kv: KeyValue): ServerStatus {
    const at = `etcd key ${JSON.stringify(kv.key.slice(0, 200))}`;
    if (kv.value === undefined) {
      throw new InvalidStatusError(`${at}: value larger than ${maxStatusValueBytes} bytes`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(kv.value);
    } catch {
      throw new InvalidStatusError(`${at}: value is not JSON`);
    }
    const status = parseServerStatus(parsed, at);
    // One key, one server: a value may not speak for another key's server.
    if (serverIdOf(this.#prefix, kv.key) !== status.id) {
      throw new InvalidStatusError(`${at}: id \`${status.id.slice(0, 200)}\` does not match the key`);
    }
    return status;
  }

  #set(key: string, status: ServerStatus): void {
    this.#byKey.set(key, status);
    const url = urlKey(status);
    this.#keysPerUrl.set(url, (this.#keysPerUrl.get(url) ?? 0) + 1);
  }

  /** Forgets a key; returns the URL it listed, if any. */
  #delete(key: string): string | undefined {
    const status = this.#byKey.get(key);
    if (status === undefined) return undefined;
    this.#byKey.delete(key);
    const url = urlKey(status);
    const count = (this.#keysPerUrl.get(url) ?? 1) - 1;
    if (count === 0) this.#keysPerUrl.delete(url);
    else this.#keysPerUrl.set(url, count);
    return url;
  }
}

function urlKey(status: ServerStatus): string {
  return normalizeBaseUrl(new URL(status.url));
}
