/** Namespace of the example Calculator service. */
export const calculatorNamespace = 'http://example.com/calculator';

export interface CalculatorWsdlOptions {
  /** The service address written into the WSDL, e.g. `http://127.0.0.1:8001/calculator`. */
  readonly address: string;
  /** Put the types in `calculator.xsd`, imported by a relative location, instead of inline. */
  readonly externalSchema?: boolean;
}

/** The schema of the Calculator messages. */
export const calculatorSchema = `<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="${calculatorNamespace}"
    xmlns:tns="${calculatorNamespace}" elementFormDefault="qualified">
  <xsd:element name="AddRequest"><xsd:complexType><xsd:sequence>
    <xsd:element name="a" type="xsd:int"/><xsd:element name="b" type="xsd:int"/>
  </xsd:sequence></xsd:complexType></xsd:element>
  <xsd:element name="AddResponse"><xsd:complexType><xsd:sequence>
    <xsd:element name="result" type="xsd:int"/><xsd:element name="server" type="xsd:string"/>
  </xsd:sequence></xsd:complexType></xsd:element>
  <xsd:element name="DivideRequest"><xsd:complexType><xsd:sequence>
    <xsd:element name="a" type="xsd:int"/><xsd:element name="b" type="xsd:int"/>
  </xsd:sequence></xsd:complexType></xsd:element>
  <xsd:element name="DivideResponse"><xsd:complexType><xsd:sequence>
    <xsd:element name="result" type="xsd:int"/><xsd:element name="server" type="xsd:string"/>
  </xsd:sequence></xsd:complexType></xsd:element>
</xsd:schema>
`;

/**
 * A WSDL 1.1 document/literal Calculator with `Add` and `Divide` (a SOAP Fault on division by zero),
 * one service with a SOAP 1.1 and a SOAP 1.2 port.
 */
export function calculatorWsdl(options: CalculatorWsdlOptions): string {
  const types = options.externalSchema
    ? `<xsd:schema targetNamespace="${calculatorNamespace}/imports">
      <xsd:import namespace="${calculatorNamespace}" schemaLocation="calculator.xsd"/>
    </xsd:schema>`
    : calculatorSchema.replace(/^<\?xml[^>]*>\s*/, '');
  const operations = ['Add', 'Divide']
    .map(
      (name) =>
        `<wsdl:operation name="${name}"><wsdl:input message="tns:${name}Input"/><wsdl:output message="tns:${name}Output"/></wsdl:operation>`,
    )
    .join('\n    ');
  const messages = ['Add', 'Divide']
    .map(
      (
        name,
      ) => `<wsdl:message name="${name}Input"><wsdl:part name="body" element="tns:${name}Request"/></wsdl:message>
  <wsdl:message name="${name}Output"><wsdl:part name="body" element="tns:${name}Response"/></wsdl:message>`,
    )
    .join('\n  ');
  const binding = (
    prefix: 'soap' | 'soap12',
    name: string,
  ) => `<wsdl:binding name="${name}" type="tns:CalculatorPortType">
    <${prefix}:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    ${['Add', 'Divide']
      .map(
        (operation) => `<wsdl:operation name="${operation}">
      <${prefix}:operation soapAction="${calculatorNamespace}/${operation}"/>
      <wsdl:input><${prefix}:body use="literal"/></wsdl:input>
      <wsdl:output><${prefix}:body use="literal"/></wsdl:output>
    </wsdl:operation>`,
      )
      .join('\n    ')}
  </wsdl:binding>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions name="Calculator" targetNamespace="${calculatorNamespace}"
    xmlns:tns="${calculatorNamespace}"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <wsdl:types>
    ${types}
  </wsdl:types>
  ${messages}
  <wsdl:portType name="CalculatorPortType">
    ${operations}
  </wsdl:portType>
  ${binding('soap', 'CalculatorSoapBinding')}
  ${binding('soap12', 'CalculatorSoap12Binding')}
  <wsdl:service name="CalculatorService">
    <wsdl:port name="CalculatorSoap" binding="tns:CalculatorSoapBinding">
      <soap:address location="${options.address}"/>
    </wsdl:port>
    <wsdl:port name="CalculatorSoap12" binding="tns:CalculatorSoap12Binding">
      <soap12:address location="${options.address}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
}
