import sax from 'sax';
import { ErrorCode, SoapBalancerError } from '../errors.js';
import { attributeValueSpan, type ValueSpan } from './start-tag.js';

/**
 * Finds the URLs node-soap will use in a WSDL or XSD document by reading it as node-soap 1.x does
 * (lib/wsdl/index.js `_parse`, lib/wsdl/elements.js): the same sax parser in strict mode without
 * namespace processing, elements recognized by local name whatever their prefix, and the same element
 * stack. Each element pushes one entry; which class node-soap gives it depends only on its parent's
 * class and its own local name (`allowedChildren`), and everything else becomes an element whose
 * children are never anything node-soap looks at. An entry is popped when the element closes, except
 * the root, which is never popped: an element after the root's end tag is still read as its child.
 */

/** An attribute whose value node-soap reads as a URL. */
export interface UrlAttribute extends ValueSpan {
  /** The value as node-soap reads it, entities decoded. */
  readonly value: string;
}

/** The `location` of an `address` element of a `port` of a `service`. */
export interface ServiceAddress extends UrlAttribute {
  readonly service: string;
  readonly port: string;
  /**
   * The namespace of the address element, from the `xmlns` declarations of the element and of those
   * on node-soap's stack below it (its ancestors); none if undeclared.
   */
  readonly namespace: string | undefined;
}

export interface NodeSoapView {
  /** In document order. */
  readonly addresses: readonly ServiceAddress[];
  /** WSDL and schema imports and includes, in document order. */
  readonly imports: readonly UrlAttribute[];
}

/** What node-soap makes of an element, as far as addresses and imports are concerned. */
type Role = 'definitions' | 'schema' | 'types' | 'service' | 'port' | 'address' | 'import' | 'other';

// The `allowedChildren` of node-soap's DefinitionsElement, TypesElement, SchemaElement, ServiceElement
// and PortElement that lead to an address or an import. `redefine` is in none of them: node-soap never
// follows one.
const childRoles: Partial<Record<Role, Readonly<Record<string, Role>>>> = {
  definitions: { service: 'service', types: 'types', import: 'import' },
  types: { schema: 'schema' },
  schema: { import: 'import', include: 'import' },
  service: { port: 'port' },
  port: { address: 'address' },
};

interface Entry {
  readonly name: string;
  readonly role: Role;
  readonly attributes: Readonly<Record<string, string>>;
  /**
   * Addresses and imports found in this element. node-soap takes them into account when the element
   * is attached to its parent, as it closes; those that reach the root are the ones it uses (in a
   * truncated document, an unclosed service is not used).
   */
  readonly addresses: ServiceAddress[];
  readonly imports: UrlAttribute[];
}

/**
 * @throws {SoapBalancerError} `SOAPBAL_WSDL_INVALID` where node-soap's parse throws too: the text is
 *   not well-formed (sax reports an error before the end of the text), has no root element, or its
 *   root is not a `definitions` or `schema` element. A document that merely ends too early is read as
 *   far as it goes, as node-soap does.
 */
export function readAsNodeSoap(xml: string, source: string): NodeSoapView {
  // node-soap strips one byte order mark before parsing; sax then skips a second one.
  const offset = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  // No `onerror` handler, as in node-soap: sax records an error and goes on, and `close()` throws it.
  const parser = sax.parser(true);
  const stack: Entry[] = [];

  parser.onopentag = (tag) => {
    const attributes = tag.attributes as Record<string, string>;
    const parent = stack.at(-1);
    const role = parent === undefined ? rootRole(tag.name, source) : roleUnder(parent.role, tag.name);
    const entry: Entry = { name: tag.name, role, attributes, addresses: [], imports: [] };
    stack.push(entry);
    const tagStart = parser.startTagPosition - 1 + offset;
    if (role === 'address' && Object.hasOwn(attributes, 'location')) {
      const service = stack.at(-3)?.attributes.name ?? '';
      const port = stack.at(-2)?.attributes.name ?? '';
      const span = attributeValueSpan(xml, tagStart, 'location');
      const namespace = namespaceOf(tag.name, stack);
      entry.addresses.push({ ...span, value: attributes.location ?? '', service, port, namespace });
    } else if (role === 'import') {
      // SchemaElement.addChild: `$schemaLocation || $location`; an empty one is skipped.
      const used = attributes.schemaLocation
        ? 'schemaLocation'
        : attributes.location
          ? 'location'
          : undefined;
      if (used !== undefined) {
        entry.imports.push({ ...attributeValueSpan(xml, tagStart, used), value: attributes[used] ?? '' });
      }
    }
  };

  parser.onclosetag = (name) => {
    const entry = stack.at(-1);
    // Element.endElement: only a matching name pops, and never the root.
    if (entry?.name !== name || stack.length < 2) return;
    stack.pop();
    const parent = stack.at(-1);
    parent?.addresses.push(...entry.addresses);
    parent?.imports.push(...entry.imports);
  };

  try {
    parser.write(offset === 0 ? xml : xml.slice(offset)).close();
  } catch (error: unknown) {
    if (error instanceof SoapBalancerError) throw error;
    throw new SoapBalancerError(
      ErrorCode.WsdlInvalid,
      `${source} is not well-formed XML: ${messageOf(error).replaceAll('\n', ', ')}`,
      { cause: error },
    );
  }
  const root = stack[0];
  if (root === undefined) {
    throw new SoapBalancerError(ErrorCode.WsdlInvalid, `${source} is not XML: it has no root element`);
  }
  return { addresses: root.addresses, imports: root.imports };
}

function rootRole(name: string, source: string): Role {
  const local = localName(name);
  if (local === 'definitions' || local === 'schema') return local;
  const why =
    local === 'html'
      ? 'its root element is <html>, an error or login page most likely'
      : `its root element is <${name}>, not a WSDL definitions or an XSD schema`;
  throw new SoapBalancerError(ErrorCode.WsdlInvalid, `${source} is not a service description: ${why}`);
}

function roleUnder(parent: Role, name: string): Role {
  const roles = childRoles[parent];
  const local = localName(name);
  return roles !== undefined && Object.hasOwn(roles, local) ? (roles[local] ?? 'other') : 'other';
}

/** node-soap's `splitQName`: everything after the first colon. */
function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

function namespaceOf(name: string, stack: readonly Entry[]): string | undefined {
  const colon = name.indexOf(':');
  const declaration = colon === -1 ? 'xmlns' : `xmlns:${name.slice(0, colon)}`;
  for (let i = stack.length - 1; i >= 0; i--) {
    const attributes = stack[i]?.attributes;
    if (attributes !== undefined && Object.hasOwn(attributes, declaration)) return attributes[declaration];
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
