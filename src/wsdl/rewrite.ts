import { logicalPathUnder } from '../urls.js';
import { describe } from '../validate.js';
import { assertNoDtd } from './dtd-guard.js';
import { readAsNodeSoap, type UrlAttribute } from './node-soap-view.js';
import { escapeAttributeValue } from './start-tag.js';

const soapVersions: Readonly<Record<string, '1.1' | '1.2'>> = {
  'http://schemas.xmlsoap.org/wsdl/soap/': '1.1',
  'http://schemas.xmlsoap.org/wsdl/soap12/': '1.2',
};

export interface RewriteOptions {
  /**
   * The target URL addresses are moved under: the balanced client's own origin
   * (`http://soap-balancer.invalid`), or the proxy's public URL (`http://soap-lb.internal:8080`).
   */
  readonly endpoint: string;
  /**
   * Normalized base URLs of the pool's servers. An address or import under one of them keeps only the
   * part after the base; an import elsewhere is left alone.
   */
  readonly servers: readonly string[];
  /** Names the document in error messages. */
  readonly source?: string;
  /**
   * The absolute URL the document was fetched from, e.g. `http://soap-balancer.invalid/calc?wsdl`.
   * A relative address is resolved against it, as a browser resolves a link.
   * @default `${endpoint}/`
   */
  readonly baseUrl?: string;
}

/** One rewritten service address: the `location` of an `address` element of a port, any namespace. */
export interface RewrittenAddress {
  readonly service: string;
  readonly port: string;
  /** From the address element's namespace; `null` when it is neither SOAP 1.1's nor 1.2's, or undeclared. */
  readonly soapVersion: '1.1' | '1.2' | null;
  /** The location as written (entities decoded). */
  readonly from: string;
  readonly to: string;
}

export interface RewriteResult {
  /** The rewritten document; the input text itself when nothing needed rewriting. */
  readonly xml: string;
  readonly addresses: readonly RewrittenAddress[];
  /** How many import/include locations now point at the balancer. */
  readonly importsRewritten: number;
}

interface Patch {
  readonly at: UrlAttribute;
  readonly to: string;
}

/**
 * Puts the balancer's own identifier in place of every service address node-soap would use (all
 * services, all ports, whatever the address element's namespace) and of every import location that
 * points at a pool server, so that every later request for them comes back through the balancer.
 * Works on XSD documents too (only their imports apply). Finds exactly the nodes node-soap reads, the
 * way it reads them, and replaces those attribute values in the text: every other byte is kept.
 * Pure: text in, text out.
 *
 * @throws {SoapBalancerError} `SOAPBAL_WSDL_UNSAFE` on a DOCTYPE or entity declaration;
 *   `SOAPBAL_WSDL_INVALID` on text node-soap cannot parse either (not well-formed before its end, no
 *   root element, a root that is neither `definitions` nor `schema`).
 * @throws {TypeError} when `baseUrl` is not an absolute URL.
 */
export function rewriteWsdl(xml: string, options: RewriteOptions): RewriteResult {
  const source = options.source ?? 'service description';
  const endpoint = options.endpoint.replace(/\/$/, '');
  const baseUrl = new URL(options.baseUrl === undefined ? `${endpoint}/` : absoluteUrl(options.baseUrl));
  assertNoDtd(xml, source);
  const view = readAsNodeSoap(xml, source);

  const patches: Patch[] = [];
  const addresses = view.addresses.map((address): RewrittenAddress => {
    const to = `${endpoint}${addressPath(address.value, baseUrl, options.servers)}`;
    patches.push({ at: address, to });
    const soapVersion = address.namespace === undefined ? null : (soapVersions[address.namespace] ?? null);
    return { service: address.service, port: address.port, soapVersion, from: address.value, to };
  });
  // A relative import is left as it is: node-soap resolves it against the document's URL, which is
  // already the balancer's. An absolute one elsewhere is another host's business.
  let importsRewritten = 0;
  for (const location of view.imports) {
    const path = logicalPathUnder(location.value, options.servers);
    if (path === undefined) continue;
    patches.push({ at: location, to: `${endpoint}${path}` });
    importsRewritten++;
  }
  return { xml: applyPatches(xml, patches), addresses, importsRewritten };
}

function absoluteUrl(baseUrl: string): string {
  if (!URL.canParse(baseUrl)) {
    throw new TypeError(`Expected \`baseUrl\` to be an absolute URL, got ${describe(baseUrl)}`);
  }
  return baseUrl;
}

/** The path (and query) under the endpoint that stands for `location`. */
function addressPath(location: string, baseUrl: URL, servers: readonly string[]): string {
  let url = URL.canParse(location, baseUrl.href) ? new URL(location, baseUrl) : undefined;
  // An empty location names no endpoint (node-soap would post to ''), and one that is no http(s) URL
  // cannot be called at all; either way the calls would leave the balancer or fail. The document's own
  // URL without its query stands in for it, by the convention that a service publishes its
  // description at `<address>?wsdl`: the calls then stay on the balancer, at the likeliest path.
  if (location.trim() === '' || (url?.protocol !== 'http:' && url?.protocol !== 'https:')) {
    url = new URL(baseUrl.pathname, baseUrl);
  }
  return logicalPathUnder(url.href, servers) ?? `${url.pathname}${url.search}`;
}

/** `xml` with each patched attribute value replaced, escaped for its own quotes. */
function applyPatches(xml: string, patches: readonly Patch[]): string {
  if (patches.length === 0) return xml;
  const ordered = [...patches].sort((a, b) => a.at.start - b.at.start);
  let result = '';
  let done = 0;
  for (const { at, to } of ordered) {
    result += xml.slice(done, at.start) + escapeAttributeValue(to, at.quote);
    done = at.end;
  }
  return result + xml.slice(done);
}
