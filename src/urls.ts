/**
 * URL arithmetic shared by the WSDL rewrite and the transport. A "logical path" is what identifies a
 * resource independently of the replica serving it: the part of a URL after a server's base URL,
 * always starting with `/` (query string included).
 */

/** Strips a trailing `/` so that `base + logicalPath` never doubles the slash. */
export function normalizeBaseUrl(url: URL): string {
  const text = `${url.origin}${url.pathname}`;
  return text.endsWith('/') ? text.slice(0, -1) : text;
}

/**
 * The logical path of `url` if it lies under one of `bases` (normalized base URLs), else `undefined`.
 * The longest matching base wins, so `http://h/app` and `http://h/app/v2` can both be pool servers.
 */
export function logicalPathUnder(text: string, bases: readonly string[]): string | undefined {
  if (!URL.canParse(text)) return undefined;
  // Compare in normalized form: `http://H:80/x` names the same server as `http://h/x`.
  const parsed = new URL(text);
  const url = `${parsed.origin}${parsed.pathname}${parsed.search}`;
  let best: string | undefined;
  for (const base of bases) {
    if (!url.startsWith(base)) continue;
    const next = url.charAt(base.length);
    // `http://h:1` must not match `http://h:10/…`, nor `/app` match `/application`.
    if (next !== '' && next !== '/' && next !== '?' && next !== '#') continue;
    if (best === undefined || base.length > best.length) best = base;
  }
  if (best === undefined) return undefined;
  return withLeadingSlash(url.slice(best.length));
}

/** Path and query of an absolute URL, or `undefined` when `text` is not an absolute URL. */
export function pathAndQuery(text: string): string | undefined {
  if (!URL.canParse(text)) return undefined;
  const url = new URL(text);
  return `${url.pathname}${url.search}`;
}

function withLeadingSlash(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}
