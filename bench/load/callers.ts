// The clients compared, described by a plain `CallerSpec` so that a caller process can open the same
// one: soap-balancer with a policy, fed by the monitor; or plain node-soap through a proxy (HAProxy).
// A caller is shared by all the loops of a run, as an app shares its client.
import { Agent } from 'node:http';
import axios from 'axios';
import { type Client, createClientAsync } from 'soap';
import { calculatorPath } from '../../examples/calculator/server.js';
import { createBalancedClient, LeastBusyPolicy, RandomPolicy, RoundRobinPolicy } from '../../src/index.js';

export type PolicyName = 'least-busy' | 'round-robin' | 'random';

export type CallerSpec =
  | {
      readonly kind: 'balanced';
      readonly wsdlUrl: string;
      /** The monitor to ask; without it, `servers` is the whole pool (no status source). */
      readonly monitorUrl?: string;
      readonly servers?: readonly string[];
      readonly policy: PolicyName;
      /** Marks `Add` idempotent: a call cut off by a dying backend is then retried on another. */
      readonly idempotent?: boolean;
    }
  | { readonly kind: 'proxied'; readonly proxyUrl: string }
  /** Plain node-soap, unchanged, on the WSDL a soap-balancer proxy serves (its address already the proxy's). */
  | { readonly kind: 'soap-proxy'; readonly proxyUrl: string };

export interface Caller {
  /** One call; resolves with the name of the backend that served it. */
  readonly call: () => Promise<string>;
  close(): Promise<void>;
}

/** Far above any healthy call here. */
const timeoutMs = 10_000;
const policies = { 'least-busy': LeastBusyPolicy, 'round-robin': RoundRobinPolicy, random: RandomPolicy };

/** `Add(1, 2)`, its answer checked, so that a broken call can never pass for a fast one. */
export function addCall(client: Client, options?: { timeout: number }): () => Promise<string> {
  return async () => {
    const [answer] = (await client.AddAsync({ a: 1, b: 2 }, options)) as [
      { result?: unknown; server?: unknown },
    ];
    if (Number(answer?.result) !== 3) throw new Error(`Add(1, 2) answered ${JSON.stringify(answer)}`);
    return String(answer.server);
  };
}

export async function openCaller(spec: CallerSpec): Promise<Caller> {
  if (spec.kind === 'balanced') {
    // Its pool and the load from the monitor alone, as the README shows; or the servers alone.
    const client = await createBalancedClient(spec.wsdlUrl, {
      ...(spec.monitorUrl === undefined ? {} : { monitor: { url: spec.monitorUrl, ttlMs: 250 } }),
      ...(spec.servers === undefined ? {} : { servers: spec.servers }),
      // The backends run on this host, each on a port of its own.
      allow: ['http://127.0.0.1:*'],
      policy: new policies[spec.policy](),
      timeoutMs,
      ...(spec.idempotent ? { idempotent: ['Add'] } : {}),
    });
    return { call: addCall(client, { timeout: timeoutMs }), close: () => client.close() };
  }
  // HAProxy passes the WSDL as is, naming one backend as the address, so `endpoint` sends the calls to
  // the proxy; soap-balancer's proxy rewrites it. Its own keep-alive agent, with the balanced client's
  // settings: neither side gets better connection reuse.
  const httpAgent = new Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5_000 });
  const client = await createClientAsync(`${spec.proxyUrl}${calculatorPath}?wsdl`, {
    ...(spec.kind === 'proxied' ? { endpoint: `${spec.proxyUrl}${calculatorPath}` } : {}),
    request: axios.create({ httpAgent }) as never,
    disableCache: true,
  });
  return { call: addCall(client, { timeout: timeoutMs }), close: async () => httpAgent.destroy() };
}
