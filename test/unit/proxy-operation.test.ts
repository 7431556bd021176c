import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectOperation } from '../../src/proxy/operation.js';

const body = (xml: string) => Buffer.from(xml);
const envelope = (inner: string) =>
  body(
    `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><h:X xmlns:h="urn:h"/></s:Header><s:Body>${inner}</s:Body></s:Envelope>`,
  );

test('SOAP 1.1: the operation is the last segment of SOAPAction', () => {
  const cases: [string, string][] = [
    ['"http://example.com/calculator/Add"', 'Add'],
    ['http://tempuri.org/ICalculator/Add', 'Add'],
    ['"urn:Calculator#Add"', 'Add'],
    ['"Add"', 'Add'],
    ['"http://example.com/Add/"', 'Add'],
  ];
  for (const [soapaction, operation] of cases) {
    assert.deepEqual(detectOperation({ 'content-type': 'text/xml', soapaction }, envelope('<Other/>')), {
      operation,
      soapVersion: '1.1',
    });
  }
});

test('SOAP 1.2: the action parameter of the content type, quoted or not, also in multipart/related', () => {
  const cases: [string, string][] = [
    ['application/soap+xml; charset=utf-8; action="http://example.com/calculator/Add"', 'Add'],
    ['application/soap+xml;action=urn:calc:Divide', 'Divide'],
    [
      'multipart/related; type="application/xop+xml"; start-info="application/soap+xml"; action="urn:x#Upload"',
      'Upload',
    ],
  ];
  for (const [contentType, operation] of cases) {
    assert.equal(detectOperation({ 'content-type': contentType }, envelope('<Other/>')).operation, operation);
  }
  assert.equal(detectOperation({ 'content-type': 'application/soap+xml' }, envelope('')).soapVersion, '1.2');
});

test('without an action (or an empty SOAPAction), the first element of the Body names it', () => {
  assert.equal(
    detectOperation(
      { 'content-type': 'text/xml', soapaction: '""' },
      envelope('<!-- c --> <m:AddRequest xmlns:m="urn:m"><a>1</a></m:AddRequest>'),
    ).operation,
    'AddRequest',
  );
  assert.equal(detectOperation({}, envelope('<Divide/>')).operation, 'Divide');
  assert.equal(detectOperation({}, body('<Body attr="1">\n<Op/></Body>')).operation, 'Op');
  assert.equal(detectOperation({}, body('not xml')).operation, undefined);
  assert.equal(detectOperation({}, envelope('')).operation, undefined);
});
