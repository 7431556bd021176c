import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import { calculatorWsdl } from '../../examples/calculator/wsdl.js';
import { ErrorCode } from '../../src/errors.js';
import { rewriteWsdl } from '../../src/wsdl/rewrite.js';
import { catchSoapError } from './helpers.js';

const endpoint = 'http://soap-balancer.invalid';
const ns = {
  wsdl: 'http://schemas.xmlsoap.org/wsdl/',
  soap: 'http://schemas.xmlsoap.org/wsdl/soap/',
  soap12: 'http://schemas.xmlsoap.org/wsdl/soap12/',
  xsd: 'http://www.w3.org/2001/XMLSchema',
};

function definitions(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions xmlns:wsdl="${ns.wsdl}" xmlns:soap="${ns.soap}" xmlns:soap12="${ns.soap12}"
    xmlns:xsd="${ns.xsd}" targetNamespace="urn:t">
${body}
</wsdl:definitions>`;
}

function port(name: string, location: string, prefix: 'soap' | 'soap12' = 'soap'): string {
  return `<wsdl:port name="${name}" binding="b"><${prefix}:address location="${location}"/></wsdl:port>`;
}

/** Every `location` of a soap/soap12 address in `xml`, in document order, read by a real parser. */
function addressLocations(xml: string): string[] {
  const document = new DOMParser().parseFromString(xml, 'text/xml');
  const locations: string[] = [];
  for (const namespace of [ns.soap, ns.soap12]) {
    const nodes = document.getElementsByTagNameNS(namespace, 'address');
    for (let i = 0; i < nodes.length; i++) locations.push(nodes.item(i)?.getAttribute('location') ?? '');
  }
  return locations;
}

function attributeValues(xml: string, namespace: string, element: string, attribute: string): string[] {
  const nodes = new DOMParser().parseFromString(xml, 'text/xml').getElementsByTagNameNS(namespace, element);
  return Array.from({ length: nodes.length }, (_, i) => nodes.item(i)?.getAttribute(attribute) ?? '');
}

describe('rewriteWsdl: service addresses', () => {
  test('rewrites every soap:address and soap12:address of every service and port', () => {
    const xml = definitions(`
  <wsdl:service name="Alpha">
    ${port('A11', 'http://h:1/alpha')}
    ${port('A12', 'http://h:1/alpha12', 'soap12')}
  </wsdl:service>
  <wsdl:service name="Beta">
    ${port('B11', 'http://h:2/beta')}
    ${port('B12', 'http://h:2/beta12', 'soap12')}
  </wsdl:service>`);
    const result = rewriteWsdl(xml, { endpoint, servers: ['http://h:1', 'http://h:2'] });

    // In document order.
    assert.deepEqual(result.addresses, [
      {
        service: 'Alpha',
        port: 'A11',
        soapVersion: '1.1',
        from: 'http://h:1/alpha',
        to: `${endpoint}/alpha`,
      },
      {
        service: 'Alpha',
        port: 'A12',
        soapVersion: '1.2',
        from: 'http://h:1/alpha12',
        to: `${endpoint}/alpha12`,
      },
      { service: 'Beta', port: 'B11', soapVersion: '1.1', from: 'http://h:2/beta', to: `${endpoint}/beta` },
      {
        service: 'Beta',
        port: 'B12',
        soapVersion: '1.2',
        from: 'http://h:2/beta12',
        to: `${endpoint}/beta12`,
      },
    ]);
    assert.deepEqual(addressLocations(result.xml).sort(), [
      `${endpoint}/alpha`,
      `${endpoint}/alpha12`,
      `${endpoint}/beta`,
      `${endpoint}/beta12`,
    ]);
    assert.doesNotMatch(result.xml, /http:\/\/h:[12]/);
  });

  test('rewrites both ports of the example calculator WSDL and keeps the rest of the document', () => {
    const xml = calculatorWsdl({ address: 'http://127.0.0.1:8001/calculator' });
    const result = rewriteWsdl(xml, { endpoint, servers: ['http://127.0.0.1:8001'] });

    assert.deepEqual(
      result.addresses.map((a) => [a.port, a.soapVersion, a.to]),
      [
        ['CalculatorSoap', '1.1', `${endpoint}/calculator`],
        ['CalculatorSoap12', '1.2', `${endpoint}/calculator`],
      ],
    );
    assert.deepEqual(addressLocations(result.xml), [`${endpoint}/calculator`, `${endpoint}/calculator`]);
    assert.equal(result.importsRewritten, 0);
    const operations = attributeValues(result.xml, ns.wsdl, 'operation', 'name');
    assert.deepEqual(operations, attributeValues(xml, ns.wsdl, 'operation', 'name'));
  });

  test('keeps the path and the query string (with escaped ampersands) of an address', () => {
    const xml = definitions(
      `<wsdl:service name="S">${port('P', 'http://h:1/svc/v2?tenant=a&amp;mode=b')}</wsdl:service>`,
    );
    const result = rewriteWsdl(xml, { endpoint, servers: ['http://h:1'] });

    assert.equal(result.addresses[0]?.from, 'http://h:1/svc/v2?tenant=a&mode=b');
    assert.equal(result.addresses[0]?.to, `${endpoint}/svc/v2?tenant=a&mode=b`);
    assert.deepEqual(addressLocations(result.xml), [`${endpoint}/svc/v2?tenant=a&mode=b`]);
  });

  test('strips the path prefix of a server base from the address', () => {
    const xml = definitions(`<wsdl:service name="S">${port('P', 'http://h:1/app/svc')}</wsdl:service>`);
    const result = rewriteWsdl(xml, { endpoint, servers: ['http://h:1/app'] });

    assert.equal(result.addresses[0]?.to, `${endpoint}/svc`);
    assert.deepEqual(addressLocations(result.xml), [`${endpoint}/svc`]);
  });

  test('an endpoint given with a trailing slash does not double the slash', () => {
    const xml = definitions(`<wsdl:service name="S">${port('P', 'http://h:1/svc')}</wsdl:service>`);
    const result = rewriteWsdl(xml, { endpoint: `${endpoint}/`, servers: ['http://h:1'] });

    assert.equal(result.addresses[0]?.to, `${endpoint}/svc`);
  });

  test('an address on a foreign host is moved under the endpoint with its path and query kept', () => {
    const xml = definitions(`<wsdl:service name="S">${port('P', 'http://other:9/x/y?z=1')}</wsdl:service>`);
    const result = rewriteWsdl(xml, { endpoint, servers: ['http://h:1'] });

    assert.equal(result.addresses[0]?.from, 'http://other:9/x/y?z=1');
    assert.equal(result.addresses[0]?.to, `${endpoint}/x/y?z=1`);
  });

  test('recognizes a pool server in an address spelled with its default port or an upper-case host', () => {
    const xml = definitions(`
  <wsdl:import namespace="urn:a" location="http://h:80/app/a.wsdl"/>
  <wsdl:service name="S">${port('P', 'http://H/app/svc')}</wsdl:service>`);
    const result = rewriteWsdl(xml, { endpoint, servers: ['http://h/app'] });

    assert.equal(result.addresses[0]?.to, `${endpoint}/svc`);
    assert.equal(result.importsRewritten, 1);
  });

  test('rewriting is idempotent: the output rewritten again gives the same addresses', () => {
    const xml = definitions(`
  <wsdl:service name="S">
    ${port('P11', 'http://h:1/app/svc?x=1')}
    ${port('P12', 'http://other:2/elsewhere', 'soap12')}
  </wsdl:service>`);
    const options = { endpoint, servers: ['http://h:1/app'] };
    const once = rewriteWsdl(xml, options);
    const twice = rewriteWsdl(once.xml, options);

    assert.deepEqual(
      twice.addresses.map((a) => a.to),
      once.addresses.map((a) => a.to),
    );
    assert.deepEqual(
      twice.addresses.map((a) => a.from),
      once.addresses.map((a) => a.to),
    );
    assert.deepEqual(addressLocations(twice.xml), addressLocations(once.xml));
  });
});

describe('rewriteWsdl: imports and includes', () => {
  const servers = ['http://h:1', 'http://h:2/app'];

  test('rewrites wsdl:import and xsd:import/include locations on pool servers, and only those', () => {
    const xml = definitions(`
  <wsdl:import namespace="urn:a" location="http://h:1/defs/a.wsdl?v=2"/>
  <wsdl:import namespace="urn:b" location="other.wsdl"/>
  <wsdl:types>
    <xsd:schema targetNamespace="urn:t">
      <xsd:import namespace="urn:c" schemaLocation="http://h:2/app/c.xsd"/>
      <xsd:import namespace="urn:d" schemaLocation="http://foreign:1/d.xsd"/>
      <xsd:include schemaLocation="http://h:1/e.xsd"/>
      <xsd:include schemaLocation="../f.xsd"/>
    </xsd:schema>
  </wsdl:types>`);
    const result = rewriteWsdl(xml, { endpoint, servers });

    assert.equal(result.importsRewritten, 3);
    assert.deepEqual(result.addresses, []);
    assert.deepEqual(attributeValues(result.xml, ns.wsdl, 'import', 'location'), [
      `${endpoint}/defs/a.wsdl?v=2`,
      'other.wsdl',
    ]);
    assert.deepEqual(attributeValues(result.xml, ns.xsd, 'import', 'schemaLocation'), [
      `${endpoint}/c.xsd`,
      'http://foreign:1/d.xsd',
    ]);
    assert.deepEqual(attributeValues(result.xml, ns.xsd, 'include', 'schemaLocation'), [
      `${endpoint}/e.xsd`,
      '../f.xsd',
    ]);
  });

  test('does not take a server on another port with the same prefix (h:1 vs h:10) for a pool server', () => {
    const xml = definitions('<wsdl:import namespace="urn:a" location="http://h:10/a.wsdl"/>');
    const result = rewriteWsdl(xml, { endpoint, servers: ['http://h:1'] });

    assert.equal(result.importsRewritten, 0);
    assert.equal(result.xml, xml);
  });

  test('rewrites the imports of a plain XSD document', () => {
    const xsd = `<?xml version="1.0"?>
<xsd:schema xmlns:xsd="${ns.xsd}" targetNamespace="urn:t">
  <xsd:import namespace="urn:x" schemaLocation="http://h:1/types/x.xsd"/>
  <xsd:redefine schemaLocation="http://h:2/app/y.xsd"/>
  <xsd:include schemaLocation="z.xsd"/>
</xsd:schema>`;
    const result = rewriteWsdl(xsd, { endpoint, servers });

    assert.equal(result.importsRewritten, 2);
    assert.deepEqual(result.addresses, []);
    assert.deepEqual(attributeValues(result.xml, ns.xsd, 'import', 'schemaLocation'), [
      `${endpoint}/types/x.xsd`,
    ]);
    assert.deepEqual(attributeValues(result.xml, ns.xsd, 'redefine', 'schemaLocation'), [
      `${endpoint}/y.xsd`,
    ]);
    assert.deepEqual(attributeValues(result.xml, ns.xsd, 'include', 'schemaLocation'), ['z.xsd']);
  });

  test('returns the input text itself when there is no address and no pool import', () => {
    const xml = definitions(`
  <wsdl:types><xsd:schema><xsd:include schemaLocation="relative.xsd"/></xsd:schema></wsdl:types>
  <wsdl:portType name="PT"/>`);
    const result = rewriteWsdl(xml, { endpoint, servers });

    assert.deepEqual(result.addresses, []);
    assert.equal(result.importsRewritten, 0);
    assert.equal(result.xml, xml);
  });
});

describe('rewriteWsdl: unsafe and invalid input', () => {
  const options = { endpoint, servers: ['http://h:1'] };

  const unsafe: Record<string, string> = {
    'a DOCTYPE': '<!DOCTYPE definitions><definitions/>',
    'a lower-case doctype': '<!doctype definitions><definitions/>',
    'an entity declaration': '<!ENTITY x "y"><definitions/>',
    'an external entity (XXE)':
      '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><d>&xxe;</d>',
    'a billion-laughs entity expansion': `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>`,
  };
  for (const [name, xml] of Object.entries(unsafe)) {
    test(`rejects ${name} with SOAPBAL_WSDL_UNSAFE`, () => {
      const error = catchSoapError(
        () => rewriteWsdl(xml, { ...options, source: '/svc?wsdl' }),
        ErrorCode.WsdlUnsafe,
      );
      assert.match(error.message, /\/svc\?wsdl/);
    });
  }

  const invalid: Record<string, string> = {
    'plain text': 'hello',
    'an empty string': '',
    'mismatched tags': '<a><b></a>',
    'an unclosed root': '<definitions>',
  };
  for (const [name, xml] of Object.entries(invalid)) {
    test(`rejects ${name} with SOAPBAL_WSDL_INVALID`, () => {
      const error = catchSoapError(() => rewriteWsdl(xml, options), ErrorCode.WsdlInvalid);
      assert.match(error.message, /service description is not well-formed XML/);
    });
  }
});
