import { connect } from 'node:net';
import type { TestContext } from 'node:test';
import { createProxy, type ProxyOptions, type SoapProxy } from '../../src/index.js';

/** Starts a proxy on 127.0.0.1:0, closed when the test ends. */
export async function startProxy(t: TestContext, options: ProxyOptions): Promise<SoapProxy> {
  const proxy = await createProxy(options);
  t.after(() => proxy.close());
  return proxy;
}

/**
 * Writes `text` raw on a new connection to `url` and resolves with everything received until the
 * server closes the connection (or `endAfterWrite` half-closes it first). For requests `fetch` will
 * not send: absolute URIs, CONNECT, headers that never end.
 */
export function rawExchange(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
}

/** A SOAP 1.1 envelope around `body`. */
export function soap11(body: string): string {
  return `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

/** A SOAP 1.2 envelope around `body`. */
export function soap12(body: string): string {
  return `<?xml version="1.0"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>${body}</env:Body></env:Envelope>`;
}

/** The Calculator's `Add` request element. */
export function addRequest(a: number, b: number): string {
  return `<AddRequest xmlns="http://example.com/calculator"><a>${a}</a><b>${b}</b></AddRequest>`;
}
