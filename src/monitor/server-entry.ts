import { maxServersInSnapshot } from '../status/schema.js';
import { normalizeBaseUrl } from '../urls.js';
import { describe, isPlainObject } from '../validate.js';

/** A server to watch, as given to the monitor: a base URL, or a base URL with a name and a drain flag. */
export type MonitoredServerInput = string | MonitoredServerOptions;

export interface MonitoredServerOptions {
  /** Base URL of the replica, e.g. `http://10.0.0.1:8000`; probe paths are appended to it. */
  readonly url: string;
  /**
   * A stable label, unique among the monitor's servers, shown in `/status`.
   * @default the normalized URL (no trailing slash)
   */
  readonly id?: string;
  /**
   * Keep probing the server but report it `draining` while alive, so clients give it no new calls.
   * @default false
   */
  readonly draining?: boolean;
}

/** A validated server: what the monitor keeps. */
export interface MonitoredServerEntry {
  readonly id: string;
  readonly url: string;
  readonly draining: boolean;
}

/** Longest id or URL: the status schema rejects longer strings, so the monitor must never write one. */
const maxTextLength = 2_048;

/** Most servers one monitor watches: a bigger snapshot would be rejected by every client. */
export const maxMonitoredServers = maxServersInSnapshot;

/**
 * Validates one server and normalizes its URL (no trailing slash, as the balanced client does).
 * @throws {TypeError} naming `name` and the value received.
 */
export function normalizeServerEntry(value: unknown, name: string): MonitoredServerEntry {
  if (typeof value === 'string') return entry(value, undefined, false, name);
  if (!isPlainObject(value)) {
    throw new TypeError(`Expected \`${name}\` to be a URL or an object with \`url\`, got ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (key !== 'url' && key !== 'id' && key !== 'draining')
      throw new TypeError(`Unknown option \`${name}.${key}\``);
  }
  const draining = value.draining ?? false;
  if (typeof draining !== 'boolean') {
    throw new TypeError(`Expected \`${name}.draining\` to be a boolean, got ${describe(draining)}`);
  }
  return entry(value.url, value.id, draining, `${name}.url`, `${name}.id`);
}

/**
 * Validates a whole list of servers: an array of at most {@link maxMonitoredServers} valid entries
 * with distinct ids and URLs. Nothing is changed by a list that fails, wherever it fails.
 * @throws {TypeError | RangeError} naming `name` (`name[i]` for an entry) and the value received.
 */
export function normalizeServerList(value: unknown, name: string): MonitoredServerEntry[] {
  if (!Array.isArray(value)) {
    throw new TypeError(
      `Expected \`${name}\` to be an array of URLs or { url, id?, draining? }, got ${describe(value)}`,
    );
  }
  if (value.length > maxMonitoredServers) {
    throw new RangeError(
      `Expected \`${name}\` to list at most ${maxMonitoredServers} servers, got ${value.length}`,
    );
  }
  const entries = value.map((entry: unknown, index) => normalizeServerEntry(entry, `${name}[${index}]`));
  assertDistinct(entries, name);
  return entries;
}

/**
 * Throws when two entries share an id or a URL: ids must be unique in a snapshot, and two names for
 * one URL would only probe it twice.
 */
export function assertDistinct(entries: readonly MonitoredServerEntry[], name: string): void {
  const ids = new Set<string>();
  const urls = new Set<string>();
  for (const [index, server] of entries.entries()) {
    // URL first: for two entries without ids, "same URL" is the message that makes sense.
    if (urls.has(server.url)) {
      throw new TypeError(
        `Expected \`${name}\` to have distinct URLs, got \`${server.url}\` twice (at ${index})`,
      );
    }
    if (ids.has(server.id)) {
      throw new TypeError(
        `Expected \`${name}\` to have distinct ids, got \`${server.id}\` twice (at ${index})`,
      );
    }
    ids.add(server.id);
    urls.add(server.url);
  }
}

function entry(
  url: unknown,
  id: unknown,
  draining: boolean,
  urlName: string,
  idName = `${urlName}.id`,
): MonitoredServerEntry {
  const base = baseUrl(url, urlName);
  if (id === undefined) return { id: base, url: base, draining };
  if (typeof id !== 'string' || id.length === 0 || id.length > maxTextLength) {
    throw new TypeError(
      `Expected \`${idName}\` to be a non-empty string of at most ${maxTextLength} characters, got ${describe(id)}`,
    );
  }
  return { id, url: base, draining };
}

function baseUrl(value: unknown, name: string): string {
  const expected = `Expected \`${name}\` to be an absolute http(s) base URL`;
  if (typeof value !== 'string' || !URL.canParse(value))
    throw new TypeError(`${expected}, got ${describe(value)}`);
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError(`${expected}, got ${describe(value)}`);
  if (url.search !== '' || url.hash !== '') {
    throw new TypeError(`${expected} without query or hash, got ${describe(value)}`);
  }
  // The URL is published in /status, and normalizing would silently drop the credentials anyway.
  if (url.username !== '' || url.password !== '') {
    throw new TypeError(`${expected} without credentials, got a URL with user info`);
  }
  const base = normalizeBaseUrl(url);
  if (base.length > maxTextLength) throw new TypeError(`${expected} of at most ${maxTextLength} characters`);
  return base;
}
