// The clients compared, described by a plain `CallerSpec` so that a caller process can open the same
// one: soap-balancer with a policy, fed by the monitor; or plain node-soap through a proxy (HAProxy).
// A caller is shared by all the loops of a run, as an app would share its client.
import { Agent } from 'node:http';
import axios from 'axios';
import { type Client, createClientAsync } from 'soap';
import { createBalancedClient, LeastBusyPolicy, RandomPolicy, RoundRobinPolicy } from '../../src/index.js';
import { workPath } from '../backend/work-wsdl.js';

export type PolicyName = 'least-busy' | 'round-robin' | 'random';

export type CallerSpec =
  | {
      readonly kind: 'balanced';
      readonly wsdlUrl: string;
      readonly monitorUrl: string;
      readonly policy: PolicyName;
      /** Marks `Work` idempotent, so that a call cut off by a dying backend is retried elsewhere. */
      readonly idempotent?: boolean;
    }
  | { readonly kind: 'proxied'; readonly proxyUrl: string };

export interface Caller {
  /** One `Work(50)` call; resolves with the name of the backend that served it. */
  readonly call: () => Promise<string>;
  close(): Promise<void>;
}

/** Far above any healthy call here. */
const callTimeoutMs = 10_000;
const policies = { 'least-busy': LeastBusyPolicy, 'round-robin': RoundRobinPolicy, random: RandomPolicy };

export async function openCaller(spec: CallerSpec): Promise<Caller> {
  if (spec.kind === 'balanced') {
    // Its pool and the load from the monitor alone, as the README shows.
    const client = await createBalancedClient(spec.wsdlUrl, {
      monitor: { url: spec.monitorUrl, ttlMs: 250 },
      policy: new policies[spec.policy](),
      timeoutMs: callTimeoutMs,
      ...(spec.idempotent ? { idempotent: ['Work'] } : {}),
    });
    return { call: workCall(client), close: () => client.close() };
  }
  // The WSDL names one backend as the address, so `endpoint` sends the calls to the proxy instead. Its
  // own keep-alive agent, with the balanced client's settings: neither side gets better connection reuse.
  const httpAgent = new Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5_000 });
  const client = await createClientAsync(`${spec.proxyUrl}${workPath}?wsdl`, {
    endpoint: `${spec.proxyUrl}${workPath}`,
    request: axios.create({ httpAgent }) as never,
    disableCache: true,
  });
  return { call: workCall(client), close: async () => httpAgent.destroy() };
}

function workCall(client: Client): () => Promise<string> {
  return async () => {
    const [result] = (await client.WorkAsync({ ms: 50 }, { timeout: callTimeoutMs })) as [
      { server?: unknown },
    ];
    // A broken answer must never pass for a fast call.
    if (typeof result?.server !== 'string') throw new Error(`Work answered ${JSON.stringify(result)}`);
    return result.server;
  };
}
