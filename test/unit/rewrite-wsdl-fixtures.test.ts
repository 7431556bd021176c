import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { rewriteWsdl } from '../../src/wsdl/rewrite.js';
import { fixturePool, readFixture, wsdlFixtures } from '../fixtures/wsdl/index.js';
import { changedValues } from '../helpers/start-tags.js';
import { catchSoapError } from './helpers.js';

const endpoint = 'http://soap-balancer.invalid';
const servers = [fixturePool];

for (const fixture of wsdlFixtures) {
  describe(`rewriteWsdl on ${fixture.title}`, () => {
    for (const document of fixture.documents) {
      const xml = readFixture(document.file);
      const options = {
        endpoint,
        servers,
        baseUrl: `${fixturePool}/${document.file}`,
        source: document.file,
      };

      if (fixture.refused?.byRewrite) {
        test(`refuses ${document.file} with SOAPBAL_WSDL_INVALID, as node-soap refuses it`, () => {
          const error = catchSoapError(() => rewriteWsdl(xml, options), ErrorCode.WsdlInvalid);
          assert.match(error.message, new RegExp(document.file));
        });
        continue;
      }

      test(`${document.file}: every address moves under the endpoint`, () => {
        const result = rewriteWsdl(xml, options);
        assert.deepEqual(
          result.addresses,
          document.addresses.map(({ service, port, soapVersion, from, path }) => ({
            service,
            port,
            soapVersion,
            from,
            to: `${endpoint}${path}`,
          })),
        );
        assert.equal(result.importsRewritten, document.importsRewritten);
      });

      test(`${document.file}: only the rewritten attribute values change`, () => {
        const result = rewriteWsdl(xml, options);
        const changed = changedValues(xml, result.xml);
        const addresses = changed.filter(
          (value) => value.attribute === 'location' && /:?address$/.test(value.tag),
        );
        assert.deepEqual(
          addresses.map((value) => value.after),
          result.addresses.filter((address) => address.from !== address.to).map((address) => address.to),
        );
        const imports = changed.filter((value) => !addresses.includes(value));
        assert.equal(imports.length, result.importsRewritten);
        for (const value of imports) {
          assert.match(value.tag, /(^|:)(import|include)$/);
          assert.equal(value.after, `${endpoint}${value.before.slice(fixturePool.length)}`);
        }
        if (changed.length === 0) assert.equal(result.xml, xml);
      });

      test(`${document.file}: gives the same result when fetched through the balancer, and is idempotent`, () => {
        const result = rewriteWsdl(xml, options);
        const throughBalancer = rewriteWsdl(xml, { ...options, baseUrl: `${endpoint}/${document.file}` });
        assert.equal(throughBalancer.xml, result.xml);
        assert.equal(rewriteWsdl(result.xml, options).xml, result.xml);
      });
    }
  });
}

test('leaves every look-alike address and import in place', () => {
  const xml = readFixture('look-alikes.wsdl');
  const result = rewriteWsdl(xml, { endpoint, servers, baseUrl: `${fixturePool}/look-alikes.wsdl` });

  const untouched = [
    'in-processing-instruction',
    'in-comment',
    'in-annotation.xsd',
    'redefined.xsd',
    'in-binding',
    'orphan',
    'in-text',
    'in-cdata',
    'in-attribute',
    'in-documentation',
    'commented-out',
    'in-extension',
  ];
  for (const marker of untouched) {
    const occurrences = (text: string) => text.split(`${fixturePool}/${marker}"`).length - 1;
    assert.equal(occurrences(result.xml), 1, marker);
    assert.equal(occurrences(xml), 1, marker);
  }
  assert.deepEqual(
    result.addresses.map((address) => address.to),
    [`${endpoint}/calc`],
  );
});

test('keeps the byte order mark and every CRLF of a document', () => {
  const xml = readFixture('crlf-bom-utf8.wsdl');
  const result = rewriteWsdl(xml, { endpoint, servers });

  assert.equal(result.xml.charCodeAt(0), 0xfeff);
  assert.equal(result.xml.split('\r\n').length, xml.split('\r\n').length);
  assert.doesNotMatch(result.xml.replaceAll('\r\n', ''), /[\r\n]/);
});
