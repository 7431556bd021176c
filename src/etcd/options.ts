import { describe, httpUrl } from '../validate.js';

/** Most members one list may name. */
const maxEndpoints = 32;

/**
 * Validates a list of etcd client URLs (`http://host:2379`; TLS is not supported by this client).
 * @throws {TypeError} naming `name` and the value received.
 */
export function etcdEndpoints(name: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > maxEndpoints) {
    throw new TypeError(
      `Expected \`${name}\` to be a non-empty array (at most ${maxEndpoints}) of etcd client URLs, got ${describe(value)}`,
    );
  }
  return value.map((entry: unknown, index) => {
    const url = httpUrl(`${name}[${index}]`, entry);
    if (url.protocol !== 'http:' || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
      throw new TypeError(
        `Expected \`${name}[${index}]\` to be an http:// URL without path, e.g. http://10.0.0.1:2379, got ${describe(entry)}`,
      );
    }
    return url.origin;
  });
}

/**
 * Validates a key prefix: printable ASCII, at most 512 characters, starting with `/`; returned
 * ending with `/` so that `/a/svc` does not also cover `/a/svc2`.
 * @throws {TypeError} naming `name` and the value received.
 */
export function etcdPrefix(name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^\/[\x21-\x7e]{0,511}$/.test(value) || value === '/') {
    throw new TypeError(
      `Expected \`${name}\` to be a key prefix like \`/soap-balancer/v1/orders/\` (printable ASCII, starting with \`/\`), got ${describe(value)}`,
    );
  }
  return value.endsWith('/') ? value : `${value}/`;
}
