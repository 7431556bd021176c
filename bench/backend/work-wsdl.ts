// The benchmark's "Work" service: one document/literal operation, `Work(ms) -> { server, waitedMs }`,
// so that a caller can see who served each call and how long it waited there for a slot.

export const workNamespace = 'http://example.com/bench/work';
/** Where node-soap serves the service; the WSDL is at `${workPath}?wsdl`. */
export const workPath = '/work';

/** The Work WSDL with `address` (e.g. `http://127.0.0.1:8001/work`) as the service location. */
export function workWsdl(address: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions name="Work" targetNamespace="${workNamespace}"
    xmlns:tns="${workNamespace}"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <wsdl:types>
    <xsd:schema targetNamespace="${workNamespace}" elementFormDefault="qualified">
      <xsd:element name="WorkRequest"><xsd:complexType><xsd:sequence>
        <xsd:element name="ms" type="xsd:int"/>
      </xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="WorkResponse"><xsd:complexType><xsd:sequence>
        <xsd:element name="server" type="xsd:string"/><xsd:element name="waitedMs" type="xsd:double"/>
      </xsd:sequence></xsd:complexType></xsd:element>
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="WorkInput"><wsdl:part name="body" element="tns:WorkRequest"/></wsdl:message>
  <wsdl:message name="WorkOutput"><wsdl:part name="body" element="tns:WorkResponse"/></wsdl:message>
  <wsdl:portType name="WorkPortType">
    <wsdl:operation name="Work"><wsdl:input message="tns:WorkInput"/><wsdl:output message="tns:WorkOutput"/></wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="WorkSoapBinding" type="tns:WorkPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Work">
      <soap:operation soapAction="${workNamespace}/Work"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="WorkService">
    <wsdl:port name="WorkSoap" binding="tns:WorkSoapBinding">
      <soap:address location="${address}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
}
