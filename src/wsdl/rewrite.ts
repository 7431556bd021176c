import { type Attr, DOMParser, type Document, type Element, XMLSerializer } from '@xmldom/xmldom';
import * as xpath from 'xpath';
import { ErrorCode, SoapBalancerError } from '../errors.js';
import { logicalPathUnder, pathAndQuery } from '../urls.js';
import { assertNoDtd } from './dtd-guard.js';

const namespaces = {
  wsdl: 'http://schemas.xmlsoap.org/wsdl/',
  soap: 'http://schemas.xmlsoap.org/wsdl/soap/',
  soap12: 'http://schemas.xmlsoap.org/wsdl/soap12/',
  xsd: 'http://www.w3.org/2001/XMLSchema',
} as const;

const select = xpath.useNamespaces(namespaces);

const addressXPath = '//wsdl:service/wsdl:port/soap:address | //wsdl:service/wsdl:port/soap12:address';
const importXPath =
  '//wsdl:import/@location | //xsd:import/@schemaLocation | //xsd:include/@schemaLocation | //xsd:redefine/@schemaLocation';

export interface RewriteOptions {
  /** Origin owned by the balancer, e.g. `http://soap-balancer.invalid`. Addresses are moved under it. */
  readonly endpoint: string;
  /**
   * Normalized base URLs of the pool's servers. An address or import under one of them keeps only the
   * part after the base; an import elsewhere is left alone.
   */
  readonly servers: readonly string[];
  /** Names the document in error messages. */
  readonly source?: string;
  /** The absolute URL the document was fetched from; relative addresses resolve against it. */
  readonly baseUrl?: string;
}

/** One rewritten `soap:address` / `soap12:address`. */
export interface RewrittenAddress {
  readonly service: string;
  readonly port: string;
  readonly soapVersion: '1.1' | '1.2';
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

/**
 * Puts the balancer's own identifier in place of every service address of a WSDL 1.1 document (all
 * services, all ports, SOAP 1.1 and 1.2) and of every import location that points at a pool server,
 * so that every later request for them comes back through the balancer. Works on XSD documents too
 * (only their imports apply). Pure: text in, text out.
 *
 * @throws {SoapBalancerError} `SOAPBAL_WSDL_UNSAFE` on a DOCTYPE or entity declaration;
 *   `SOAPBAL_WSDL_INVALID` when the text is not well-formed XML.
 */
export function rewriteWsdl(xml: string, options: RewriteOptions): RewriteResult {
  const source = options.source ?? 'service description';
  assertNoDtd(xml, source);
  const document = parseXml(xml, source);
  const endpoint = options.endpoint.replace(/\/$/, '');

  const addresses: RewrittenAddress[] = [];
  for (const node of select(addressXPath, document as unknown as Node) as unknown as Element[]) {
    const from = node.getAttribute('location') ?? '';
    const path = logicalPathUnder(from, options.servers) ?? pathAndQuery(from) ?? '/';
    const to = `${endpoint}${path}`;
    node.setAttribute('location', to);
    const port = node.parentNode as Element;
    const service = port.parentNode as Element;
    addresses.push({
      service: service.getAttribute('name') ?? '',
      port: port.getAttribute('name') ?? '',
      soapVersion: node.namespaceURI === namespaces.soap12 ? '1.2' : '1.1',
      from,
      to,
    });
  }

  let importsRewritten = 0;
  for (const attribute of select(importXPath, document as unknown as Node) as unknown as Attr[]) {
    const path = logicalPathUnder(attribute.value, options.servers);
    if (path === undefined) continue;
    attribute.value = `${endpoint}${path}`;
    importsRewritten++;
  }

  const changed = addresses.length > 0 || importsRewritten > 0;
  return {
    xml: changed ? new XMLSerializer().serializeToString(document) : xml,
    addresses,
    importsRewritten,
  };
}

function parseXml(xml: string, source: string): Document {
  const problems: string[] = [];
  const parser = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') problems.push(message);
    },
  });
  let document: Document | undefined;
  try {
    document = parser.parseFromString(xml, 'text/xml');
  } catch (error: unknown) {
    throw new SoapBalancerError(
      ErrorCode.WsdlInvalid,
      `${source} is not well-formed XML: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
  if (problems.length > 0 || !document?.documentElement) {
    throw new SoapBalancerError(
      ErrorCode.WsdlInvalid,
      `${source} is not well-formed XML: ${problems[0] ?? 'no root element'}`,
    );
  }
  return document;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
