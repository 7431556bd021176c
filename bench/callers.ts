// The clients compared: soap-balancer with each policy, fed by the monitor, and plain node-soap
// through HAProxy. Each is one client shared by all the loops of a run, as an app would share it.
import { Agent } from 'node:http';
import axios from 'axios';
import { type Client, createClientAsync } from 'soap';
import {
  createBalancedClient,
  type IdempotencyOption,
  LeastBusyPolicy,
  RandomPolicy,
  RoundRobinPolicy,
  type SelectionPolicy,
} from '../src/index.js';
import { workPath } from './backend/work-wsdl.js';

/** One call of the benchmark; resolves with the name of the replica that served it. */
export type Call = () => Promise<string>;

export interface Caller {
  readonly label: string;
  readonly call: Call;
  close(): Promise<void>;
}

/** How long one call may take before the caller gives up: far above any healthy call here. */
export const callTimeoutMs = 10_000;
/** What every call asks for: 50 ms of work (times the replica's slowness). */
export const workMs = 50;

export type PolicyName = 'least-busy' | 'round-robin' | 'random';

function policyOf(name: PolicyName): SelectionPolicy {
  if (name === 'round-robin') return new RoundRobinPolicy();
  if (name === 'random') return new RandomPolicy();
  return new LeastBusyPolicy();
}

function workCaller(client: Client): Call {
  return async () => {
    const [result] = (await client.WorkAsync({ ms: workMs }, { timeout: callTimeoutMs })) as [
      { server?: unknown },
    ];
    // A broken answer must never pass for a fast call.
    if (typeof result?.server !== 'string') throw new Error(`Work answered ${JSON.stringify(result)}`);
    return result.server;
  };
}

export interface BalancedCallerOptions {
  readonly label: string;
  readonly wsdlUrl: string;
  readonly monitorUrl: string;
  readonly policy: PolicyName;
  readonly idempotent?: IdempotencyOption;
}

/** soap-balancer with its pool and load from the monitor alone, as the README shows. */
export async function balancedCaller(options: BalancedCallerOptions): Promise<Caller> {
  const client = await createBalancedClient(options.wsdlUrl, {
    monitor: { url: options.monitorUrl, ttlMs: 250 },
    policy: policyOf(options.policy),
    timeoutMs: callTimeoutMs,
    ...(options.idempotent === undefined ? {} : { idempotent: options.idempotent }),
  });
  return { label: options.label, call: workCaller(client), close: () => client.close() };
}

/**
 * Plain node-soap through HAProxy. The WSDL (fetched through HAProxy) names one replica as the
 * address, so `endpoint` sends the calls to HAProxy instead. Its own keep-alive agent, with the
 * balanced client's settings, so that neither side gets better connection reuse.
 */
export async function haproxyCaller(label: string, haproxyUrl: string): Promise<Caller> {
  const httpAgent = new Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5_000 });
  const request = axios.create({ httpAgent });
  const client = await createClientAsync(`${haproxyUrl}${workPath}?wsdl`, {
    endpoint: `${haproxyUrl}${workPath}`,
    request: request as never,
    disableCache: true,
  });
  return {
    label,
    call: workCaller(client),
    close: async () => httpAgent.destroy(),
  };
}
