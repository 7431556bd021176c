import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { calculatorWsdl } from '../../examples/calculator/wsdl.js';
import { ErrorCode } from '../../src/errors.js';
import { rewriteWsdl } from '../../src/wsdl/rewrite.js';
import { attributeValues, startTags } from '../helpers/start-tags.js';
import { catchSoapError } from './helpers.js';

const endpoint = 'http://soap-balancer.invalid';
const ns = {
  wsdl: 'http://schemas.xmlsoap.org/wsdl/',
  soap: 'http://schemas.xmlsoap.org/wsdl/soap/',
  soap12: 'http://schemas.xmlsoap.org/wsdl/soap12/',
  http: 'http://schemas.xmlsoap.org/wsdl/http/',
  xsd: 'http://www.w3.org/2001/XMLSchema',
};

function definitions(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions xmlns:wsdl="${ns.wsdl}" xmlns:soap="${ns.soap}" xmlns:soap12="${ns.soap12}"
    xmlns:http="${ns.http}" xmlns:xsd="${ns.xsd}" targetNamespace="urn:t">
${body}
</wsdl:definitions>`;
}

function port(name: string, location: string, prefix = 'soap'): string {
  return `<wsdl:port name="${name}" binding="b"><${prefix}:address location="${location}"/></wsdl:port>`;
}

/** Every `location` of an element named `address` (any prefix) in `xml`, in document order. */
function addressLocations(xml: string): string[] {
  return startTags(xml)
    .filter((tag) => /^(\w+:)?address$/.test(tag.name) && 'location' in tag.attributes)
    .map((tag) => tag.attributes.location ?? '');
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
    const operations = attributeValues(result.xml, 'wsdl:operation', 'name');
    assert.deepEqual(operations, attributeValues(xml, 'wsdl:operation', 'name'));
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

describe('rewriteWsdl: the addresses node-soap uses, and only those', () => {
  const servers = ['http://h:1'];

  test('rewrites an address element in any namespace, or none, and tells SOAP 1.1 and 1.2 apart', () => {
    const xml = definitions(`
  <wsdl:service name="S">
    ${port('Soap', 'http://h:1/a')}
    ${port('Soap12', 'http://h:1/b', 'soap12')}
    ${port('Http', 'http://h:1/c', 'http')}
    ${port('Unbound', 'http://h:1/d', 'ext')}
    <wsdl:port name="Default" binding="b"><address xmlns="urn:custom" location="http://h:1/e"/></wsdl:port>
    <wsdl:port name="Rebound" binding="b" xmlns:soap="urn:custom"><soap:address location="http://h:1/f"/></wsdl:port>
  </wsdl:service>`);
    const result = rewriteWsdl(xml, { endpoint, servers });

    assert.deepEqual(
      result.addresses.map((a) => [a.port, a.soapVersion, a.to]),
      [
        ['Soap', '1.1', `${endpoint}/a`],
        ['Soap12', '1.2', `${endpoint}/b`],
        ['Http', null, `${endpoint}/c`],
        ['Unbound', null, `${endpoint}/d`],
        ['Default', null, `${endpoint}/e`],
        ['Rebound', null, `${endpoint}/f`],
      ],
    );
    assert.deepEqual(
      addressLocations(result.xml),
      ['a', 'b', 'c', 'd', 'e', 'f'].map((p) => `${endpoint}/${p}`),
    );
  });

  test('leaves address elements that are not the child of a port of a service, and one without location', () => {
    const xml = definitions(`
  <wsdl:port name="Orphan" binding="b"><soap:address location="http://h:1/orphan"/></wsdl:port>
  <wsdl:binding name="b"><soap:address location="http://h:1/binding"/></wsdl:binding>
  <wsdl:service name="S">
    <soap:address location="http://h:1/service"/>
    <wsdl:port name="P" binding="b">
      <wsdl:documentation><soap:address location="http://h:1/documentation"/></wsdl:documentation>
      <ext:wrapper><soap:address location="http://h:1/wrapped"/></ext:wrapper>
      <soap:address soap:location="http://h:1/prefixed-attribute"/>
    </wsdl:port>
  </wsdl:service>`);
    const result = rewriteWsdl(xml, { endpoint, servers });

    assert.deepEqual(result.addresses, []);
    assert.equal(result.xml, xml);
  });

  test('rewrites every address of a port (node-soap keeps the last) and the first of two location attributes', () => {
    const xml = definitions(`
  <wsdl:service name="S">
    <wsdl:port name="P" binding="b">
      <soap:address location="http://h:1/first"/>
      <soap:address location = 'http://h:1/second' location="http://h:1/ignored"/>
    </wsdl:port>
  </wsdl:service>`);
    const result = rewriteWsdl(xml, { endpoint, servers });

    assert.deepEqual(
      result.addresses.map((a) => a.to),
      [`${endpoint}/first`, `${endpoint}/second`],
    );
    assert.match(result.xml, new RegExp(`location = '${endpoint}/second' location="http://h:1/ignored"`));
  });

  test('rewrites a service that follows the end of the root element, which node-soap still reads', () => {
    const xml = `${definitions('')}<wsdl:service name="Late">${port('P', 'http://h:1/late')}</wsdl:service>`;
    const result = rewriteWsdl(xml, { endpoint, servers });

    assert.deepEqual(
      result.addresses.map((a) => [a.service, a.to]),
      [['Late', `${endpoint}/late`]],
    );
  });

  test('resolves a relative address against the URL the document was fetched from', () => {
    const xml = definitions(`
  <wsdl:service name="S">
    ${port('Rooted', '/calc')}
    ${port('Sibling', 'calc?x=1')}
    ${port('Parent', '../calc')}
    ${port('OtherHost', '//other:9/calc')}
  </wsdl:service>`);
    const to = (baseUrl?: string) =>
      rewriteWsdl(xml, {
        endpoint,
        servers: ['http://h:1/app'],
        ...(baseUrl ? { baseUrl } : {}),
      }).addresses.map((a) => a.to);

    // The same from a pool server as through the balancer: the part after the base is what counts.
    const expected = ['/calc', '/v1/calc?x=1', '/calc', '/calc'].map((p) => `${endpoint}${p}`);
    assert.deepEqual(to('http://h:1/app/v1/calc.wsdl?wsdl'), expected);
    assert.deepEqual(to(`${endpoint}/v1/calc.wsdl?wsdl`), expected);
    // Without a baseUrl, the document is taken to be at the root of the endpoint.
    assert.deepEqual(
      to(),
      ['/calc', '/calc?x=1', '/calc', '/calc'].map((p) => `${endpoint}${p}`),
    );
  });

  test('points an empty, blank or non-HTTP address at the path the document was fetched from', () => {
    const xml = definitions(`
  <wsdl:service name="S">
    ${port('Empty', '')}
    ${port('Blank', ' &#9; ')}
    ${port('Urn', 'urn:example:calc')}
    ${port('Mail', 'mailto:calc@example.com')}
    ${port('Broken', 'http://exa mple/calc')}
  </wsdl:service>`);
    const cases: [baseUrl: string | undefined, servers: string[], to: string][] = [
      [`${endpoint}/svc/calc.asmx?wsdl`, [], `${endpoint}/svc/calc.asmx`],
      ['http://h:1/app/calc?wsdl', ['http://h:1/app'], `${endpoint}/calc`],
      [undefined, [], `${endpoint}/`],
    ];
    for (const [baseUrl, servers, to] of cases) {
      const result = rewriteWsdl(xml, { endpoint, servers, ...(baseUrl ? { baseUrl } : {}) });
      assert.deepEqual(
        result.addresses.map((a) => a.to),
        Array(5).fill(to),
        String(baseUrl),
      );
    }
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
    assert.deepEqual(attributeValues(result.xml, 'wsdl:import', 'location'), [
      `${endpoint}/defs/a.wsdl?v=2`,
      'other.wsdl',
    ]);
    assert.deepEqual(attributeValues(result.xml, 'xsd:import', 'schemaLocation'), [
      `${endpoint}/c.xsd`,
      'http://foreign:1/d.xsd',
    ]);
    assert.deepEqual(attributeValues(result.xml, 'xsd:include', 'schemaLocation'), [
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

  test('rewrites the imports of a plain XSD document, but not a redefine, which node-soap never follows', () => {
    const xsd = `<?xml version="1.0"?>
<xsd:schema xmlns:xsd="${ns.xsd}" targetNamespace="urn:t">
  <xsd:import namespace="urn:x" schemaLocation="http://h:1/types/x.xsd"/>
  <xsd:redefine schemaLocation="http://h:2/app/y.xsd"/>
  <xsd:include schemaLocation="z.xsd"/>
  <xsd:include schemaLocation="http://h:2/app/w.xsd"/>
</xsd:schema>`;
    const result = rewriteWsdl(xsd, { endpoint, servers });

    assert.equal(result.importsRewritten, 2);
    assert.deepEqual(result.addresses, []);
    assert.deepEqual(attributeValues(result.xml, 'xsd:import', 'schemaLocation'), [
      `${endpoint}/types/x.xsd`,
    ]);
    assert.deepEqual(attributeValues(result.xml, 'xsd:redefine', 'schemaLocation'), ['http://h:2/app/y.xsd']);
    assert.deepEqual(attributeValues(result.xml, 'xsd:include', 'schemaLocation'), [
      'z.xsd',
      `${endpoint}/w.xsd`,
    ]);
  });

  test('takes the attribute node-soap takes: schemaLocation, or location when that is missing or empty', () => {
    const xml = definitions(`
  <wsdl:import namespace="urn:a" schemaLocation="http://h:1/a.wsdl" location="http://h:1/not-a.wsdl"/>
  <wsdl:types>
    <xsd:schema targetNamespace="urn:t">
      <xsd:import namespace="urn:b" location="http://h:1/b.xsd"/>
      <xsd:import namespace="urn:c" schemaLocation="" location="http://h:1/c.xsd"/>
    </xsd:schema>
  </wsdl:types>`);
    const result = rewriteWsdl(xml, { endpoint, servers });

    assert.equal(result.importsRewritten, 3);
    assert.deepEqual(attributeValues(result.xml, 'wsdl:import', 'schemaLocation'), [`${endpoint}/a.wsdl`]);
    assert.deepEqual(attributeValues(result.xml, 'wsdl:import', 'location'), ['http://h:1/not-a.wsdl']);
    assert.deepEqual(attributeValues(result.xml, 'xsd:import', 'location'), [
      `${endpoint}/b.xsd`,
      `${endpoint}/c.xsd`,
    ]);
    assert.deepEqual(attributeValues(result.xml, 'xsd:import', 'schemaLocation'), ['']);
  });

  test('leaves imports alone where node-soap does not look for them', () => {
    const xml = definitions(`
  <wsdl:types>
    <xsd:schema targetNamespace="urn:t">
      <xsd:complexType name="T"><xsd:import schemaLocation="http://h:1/in-type.xsd"/></xsd:complexType>
    </xsd:schema>
    <xsd:import schemaLocation="http://h:1/in-types.xsd"/>
  </wsdl:types>
  <wsdl:service name="S"><xsd:import schemaLocation="http://h:1/in-service.xsd"/></wsdl:service>`);
    const result = rewriteWsdl(xml, { endpoint, servers });

    assert.equal(result.importsRewritten, 0);
    assert.equal(result.xml, xml);
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

  const invalid: Record<string, [xml: string, message: RegExp]> = {
    'plain text': ['hello', /service description is not well-formed XML: Text data outside of root node/],
    'an empty string': ['', /service description is not XML: it has no root element/],
    'only a comment': ['<?xml version="1.0"?><!-- nothing -->', /it has no root element/],
    'mismatched tags': ['<definitions><b></definitions>', /is not well-formed XML: Unexpected close tag/],
    'a bare ampersand in text': [
      '<definitions>Smith & Sons</definitions>',
      /Invalid character in entity name/,
    ],
    'an HTML error page': [
      '<html><body>Please sign in</body></html>',
      /service description is not a service description: its root element is <html>/,
    ],
    'another root element': [
      '<soap:Envelope xmlns:soap="urn:x"/>',
      /its root element is <soap:Envelope>, not a WSDL definitions or an XSD schema/,
    ],
  };
  for (const [name, [xml, message]] of Object.entries(invalid)) {
    test(`rejects ${name} with SOAPBAL_WSDL_INVALID, as node-soap rejects it`, () => {
      const error = catchSoapError(() => rewriteWsdl(xml, options), ErrorCode.WsdlInvalid);
      assert.match(error.message, message);
    });
  }

  test('reads a document that ends too early as far as it goes, as node-soap does', () => {
    const complete = definitions(`<wsdl:service name="S">${port('P', 'http://h:1/svc')}</wsdl:service>`);
    const truncated = complete.slice(0, complete.indexOf('</wsdl:definitions>') + 5);
    assert.equal(rewriteWsdl(truncated, options).addresses.length, 1);

    // node-soap only uses a service once it closes.
    const unclosedService = complete.slice(0, complete.indexOf('</wsdl:service>'));
    const result = rewriteWsdl(unclosedService, options);
    assert.deepEqual(result.addresses, []);
    assert.equal(result.xml, unclosedService);

    assert.equal(rewriteWsdl('<definitions>', options).xml, '<definitions>');
  });

  test('rejects a baseUrl that is not an absolute URL with a TypeError naming it', () => {
    assert.throws(
      () => rewriteWsdl(definitions(''), { ...options, baseUrl: '/calc?wsdl' }),
      (error: unknown) =>
        error instanceof TypeError &&
        /`baseUrl`.*absolute URL.*`\/calc\?wsdl` \(string\)/.test(error.message),
    );
  });
});
