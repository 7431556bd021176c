import { ErrorCode, SoapBalancerError } from '../errors.js';

// A DOCTYPE is where every XML entity attack lives (XXE, billion laughs); no WSDL or XSD needs one.
// Rejecting on sight, before any parser sees the text, means no parser option can be forgotten.
const dtdMarkup = /<!(?:DOCTYPE|ENTITY)/i;

/** Throws `SOAPBAL_WSDL_UNSAFE` when `xml` carries a DOCTYPE or entity declaration. */
export function assertNoDtd(xml: string, source: string): void {
  if (dtdMarkup.test(xml)) {
    throw new SoapBalancerError(
      ErrorCode.WsdlUnsafe,
      `Rejected ${source}: it contains a DOCTYPE or entity declaration, which soap-balancer never parses`,
    );
  }
}
