import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios from 'axios';
import { type Client, createClientAsync, HttpClient } from 'soap';
import { Balancer } from '../balancer/balancer.js';
import { ErrorCode, isSoapBalancerError, SoapBalancerError } from '../errors.js';
import { statusSourceFor } from '../status/sources.js';
import { Attempts } from '../transport/attempts.js';
import { BalancingHttpClient, type HttpClientLike } from '../transport/balancing-http-client.js';
import { DocumentFetcher } from '../transport/document-fetch.js';
import { FailoverRunner } from '../transport/failover.js';
import { OperationTracker } from '../transport/operation-tracker.js';
import { logicalPathUnder, pathAndQuery } from '../urls.js';
import { ServiceDocuments } from '../wsdl/documents.js';
import { BalancedClientHandle } from './balanced-client-handle.js';
import { ClientMetrics } from './client-metrics.js';
import { trackOperations } from './instrument-client.js';
import { type BalancedClientOptions, type NormalizedOptions, normalizeOptions } from './options.js';

/**
 * The balancer's own origin. `.invalid` is reserved (RFC 6761) and never resolves, so a request that
 * somehow bypassed the balancer would fail at once instead of reaching an unintended host.
 */
export const BALANCER_ENDPOINT = 'http://soap-balancer.invalid';

/**
 * A node-soap `Client` whose WSDL fetch and calls all go through the balancer, plus `balancer`
 * (state, events, rewritten WSDL) and `close()`.
 */
export type BalancedSoapClient = Client & {
  /** The balancer behind this client. */
  readonly balancer: BalancedClientHandle;
  /** Same as `balancer.close()`. Absent if the WSDL itself defines an operation named `close`. */
  close(): Promise<void>;
};

/**
 * Creates a node-soap client balanced over `options.servers`: the WSDL is fetched from the least busy
 * server, its service addresses are rewritten to the balancer's own, and every call then picks a
 * server and fails over as allowed.
 *
 * @param wsdlUrl The WSDL's URL on any one of the servers (or any URL with the same path).
 * @throws {TypeError | RangeError} (as a rejection) for invalid options, naming the option.
 * @throws {SoapBalancerError} when the WSDL cannot be fetched, or is unsafe or invalid.
 */
export async function createBalancedClient(
  wsdlUrl: string,
  options: BalancedClientOptions,
): Promise<BalancedSoapClient> {
  const config = normalizeOptions(wsdlUrl, options);
  const balancer = new Balancer(config);
  const metrics = new ClientMetrics(config.name, balancer);
  const agents = config.soap.httpClient || config.soap.request ? [] : ownAgents();
  const statusSource = statusSourceFor(config, balancer);
  const operations = new OperationTracker();
  const attempts = new Attempts();
  const documents = new ServiceDocuments({ endpoint: BALANCER_ENDPOINT, servers: () => balancer.urls });
  const transport = new BalancingHttpClient({
    balancer,
    inner: innerHttpClient(config, agents),
    endpoint: BALANCER_ENDPOINT,
    isIdempotent: config.isIdempotent,
    operations,
    attempts,
    documents,
    fetchTimeoutMs: config.fetchTimeoutMs,
    calls: new FailoverRunner({
      balancer,
      attempts,
      maxAttempts: config.maxAttempts,
      timeoutMs: config.timeoutMs,
      beforeCall: statusSource && (() => statusSource.beforeCall()),
      observer: metrics,
    }),
    fetches: new DocumentFetcher({
      balancer,
      attempts,
      maxAttempts: config.maxAttempts,
      budgetMs: config.fetchTimeoutMs,
      timeoutMs: config.timeoutMs,
      observer: metrics,
    }),
  });
  const handle = new BalancedClientHandle(balancer, attempts, documents, agents, statusSource, metrics);

  let wsdlPath = pathAndQuery(config.wsdlUrl) ?? '/';
  try {
    // The one status a caller waits for: the pool may come from the status source alone.
    if (statusSource && !(await statusSource.start()) && balancer.urls.length === 0)
      throw statusSource.lastError;
    wsdlPath = logicalPathUnder(config.wsdlUrl, balancer.urls) ?? wsdlPath;
    const client = await createClientAsync(`${BALANCER_ENDPOINT}${wsdlPath}`, {
      disableCache: true,
      ...config.soap,
      httpClient: transport as unknown as HttpClient,
    }).catch((error: unknown) => {
      throw isSoapBalancerError(error)
        ? error
        : new SoapBalancerError(
            ErrorCode.WsdlLoadFailed,
            `Could not load the WSDL ${wsdlPath}: ${messageOf(error)}`,
            { cause: error },
          );
    });
    trackOperations(client, operations);
    defineIfFree(client, 'balancer', handle);
    defineIfFree(client, 'close', () => handle.close());
    return client as BalancedSoapClient;
  } catch (error: unknown) {
    // Whatever failed, nothing of the client may stay open: agents, status requests, timers.
    await handle.close();
    throw error;
  }
}

function innerHttpClient(
  config: NormalizedOptions,
  agents: readonly (HttpAgent | HttpsAgent)[],
): HttpClientLike {
  const { soap } = config;
  if (soap.httpClient) return soap.httpClient as unknown as HttpClientLike;
  const [httpAgent, httpsAgent] = agents;
  // `axios` here is its ESM build, node-soap's the CommonJS one: the same API, separately typed.
  const request =
    soap.request ?? (axios.create({ httpAgent, httpsAgent }) as unknown as NonNullable<typeof soap.request>);
  return new HttpClient({ ...soap, request }) as unknown as HttpClientLike;
}

/**
 * Keep-alive agents of the client's own, so that `close()` can drop its idle connections. Same
 * settings as Node's global agent: idle sockets close after 5 s, most recently used first.
 */
function ownAgents(): [HttpAgent, HttpsAgent] {
  const settings = { keepAlive: true, scheduling: 'lifo', timeout: 5_000 } as const;
  return [new HttpAgent(settings), new HttpsAgent(settings)];
}

/** A WSDL operation of the same name wins: node-soap already put it on the client. */
function defineIfFree(client: Client, name: string, value: unknown): void {
  if (name in client) return;
  Object.defineProperty(client, name, { value, enumerable: false });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
