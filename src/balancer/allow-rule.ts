import { describe } from '../validate.js';

/**
 * Which servers learned from a status source may be sent calls (see `BalancedClientOptions.allow`):
 * URL patterns, or a predicate given each server's base URL.
 */
export type AllowOption = readonly string[] | ((url: URL) => boolean);

/** Decides for one normalized base URL. */
export type AllowRule = (url: string) => boolean;

interface Pattern {
  readonly protocol: string;
  /** Host labels, lower case; `*` matches exactly one label. */
  readonly labels: readonly string[];
  /** `*` for any port; else the port, the scheme's default when the pattern gives none. */
  readonly port: string;
  /** Path prefix the server's base must lie under, without trailing `/`; `''` for any. */
  readonly path: string;
}

const patternSyntax = /^(https?):\/\/(\[[0-9a-fA-F:.]+\]|[^/:[\]@?#\s]+)(?::(\d{1,5}|\*))?(\/[^?#\s]*)?$/;
const defaultPorts: Record<string, string> = { 'http:': '80', 'https:': '443' };

/**
 * Compiles the `allow` option. Without it, the default admits only the origins the application named
 * itself (`defaultOrigins`: the WSDL's and the `servers`'), so that whoever can answer at a status
 * source's address cannot make the client send its calls, and their credentials, to a host of their
 * choice.
 * @throws {TypeError} naming the pattern at fault.
 */
export function compileAllowRule(option: unknown, defaultOrigins: readonly string[]): AllowRule {
  if (option === undefined) {
    const origins = new Set(defaultOrigins.map((url) => new URL(url).origin));
    return (url) => origins.has(new URL(url).origin);
  }
  if (typeof option === 'function') {
    const allows = option as (url: URL) => unknown;
    // A predicate that throws denies: a server it cannot judge gets nothing.
    return (url) => {
      try {
        return allows(new URL(url)) === true;
      } catch {
        return false;
      }
    };
  }
  if (!Array.isArray(option)) {
    throw new TypeError(
      `Expected \`allow\` to be an array of URL patterns or a function, got ${describe(option)}`,
    );
  }
  const patterns = option.map((entry: unknown, index) => parsePattern(entry, `allow[${index}]`));
  return (url) => {
    const parsed = new URL(url);
    return patterns.some((pattern) => matches(pattern, parsed));
  };
}

function parsePattern(value: unknown, name: string): Pattern {
  const match = typeof value === 'string' ? patternSyntax.exec(value) : null;
  if (match === null) {
    throw new TypeError(
      `Expected \`${name}\` to be a URL pattern like \`https://*.example.com:8443\` or \`http://10.0.0.*:*\`, got ${describe(value)}`,
    );
  }
  const [, scheme = '', host = '', port, path = ''] = match;
  const protocol = `${scheme}:`;
  // The URL parser lower-cases and validates the host (a `*` label is accepted as is).
  const probe = `${protocol}//${host}`;
  if (!URL.canParse(probe)) throw new TypeError(`Expected \`${name}\` to name a valid host, got \`${host}\``);
  return {
    protocol,
    labels: new URL(probe).hostname.split('.'),
    port: port ?? defaultPorts[protocol] ?? '',
    path: path.replace(/\/+$/, ''),
  };
}

function matches(pattern: Pattern, url: URL): boolean {
  if (url.protocol !== pattern.protocol) return false;
  const port = url.port || defaultPorts[url.protocol] || '';
  if (pattern.port !== '*' && pattern.port !== port) return false;
  const labels = url.hostname.split('.');
  if (labels.length !== pattern.labels.length) return false;
  for (let i = 0; i < labels.length; i++) {
    if (pattern.labels[i] !== '*' && pattern.labels[i] !== labels[i]) return false;
  }
  if (pattern.path === '') return true;
  const path = url.pathname.replace(/\/+$/, '');
  return path === pattern.path || path.startsWith(`${pattern.path}/`);
}
