import { type RewriteResult, type RewrittenAddress, rewriteWsdl } from './rewrite.js';

export interface ServiceDocumentsOptions {
  /** The balancer's own origin, which rewritten documents name as every service's address. */
  readonly endpoint: string;
  /** The pool's base URLs, asked at each document (the pool may change between two fetches). */
  readonly servers: () => readonly string[];
}

/**
 * Every service description (WSDL, imported WSDL, schema) node-soap fetched through the balanced
 * client, as rewritten before node-soap parsed it. Documents from the pool are keyed by their path
 * (the same on every server); documents from other hosts, fetched from there directly, by URL.
 */
export class ServiceDocuments {
  readonly #options: ServiceDocumentsOptions;
  readonly #byKey = new Map<string, RewriteResult>();

  constructor(options: ServiceDocumentsOptions) {
    this.#options = options;
  }

  /**
   * Checks and rewrites a fetched document (see `rewriteWsdl`), remembers it, and returns the text
   * node-soap is to parse.
   * @param key the path of a pool document, or the URL of another host's document.
   * @param url the absolute URL the document was fetched from, against which relative addresses resolve.
   * @throws {SoapBalancerError} `SOAPBAL_WSDL_UNSAFE` or `SOAPBAL_WSDL_INVALID`.
   */
  accept(key: string, url: string, body: unknown): string {
    const text = Buffer.isBuffer(body) ? body.toString('utf8') : String(body);
    const rewritten = rewriteWsdl(text, {
      endpoint: this.#options.endpoint,
      servers: this.#options.servers(),
      source: key,
      baseUrl: url,
    });
    this.#byKey.set(key, rewritten);
    return rewritten.xml;
  }

  /** The WSDL as node-soap received it (the first document fetched; imports follow it). */
  get wsdl(): string {
    return this.#byKey.values().next().value?.xml ?? '';
  }

  /** Every document, by path (pool) or URL (other hosts), as rewritten. */
  get all(): ReadonlyMap<string, string> {
    return new Map([...this.#byKey].map(([key, result]) => [key, result.xml]));
  }

  /** Every service address rewritten, over all documents. */
  get addresses(): RewrittenAddress[] {
    return [...this.#byKey.values()].flatMap((result) => result.addresses);
  }
}
