import type { Agent as HttpAgent } from 'node:http';
import type { Balancer } from '../balancer/balancer.js';
import type { BalancerEvents } from '../balancer/events.js';
import type { ServerInfo } from '../balancer/server-state.js';
import { encodePrometheusText } from '../metrics/encode.js';
import type { MetricFamily } from '../metrics/families.js';
import type { StatusSource } from '../status/source.js';
import type { Attempts } from '../transport/attempts.js';
import type { ServiceDocuments } from '../wsdl/documents.js';
import type { RewrittenAddress } from '../wsdl/rewrite.js';
import type { ClientMetrics } from './client-metrics.js';

/** What a balanced client adds to a node-soap client, as `client.balancer`. */
export class BalancedClientHandle {
  readonly #balancer: Balancer;
  readonly #attempts: Attempts;
  readonly #documents: ServiceDocuments;
  readonly #agents: readonly HttpAgent[];
  readonly #statusSource: StatusSource | undefined;
  readonly #metrics: ClientMetrics;
  #closed = false;

  /** @internal Made by {@link createBalancedClient}. */
  constructor(
    balancer: Balancer,
    attempts: Attempts,
    documents: ServiceDocuments,
    agents: readonly HttpAgent[],
    statusSource: StatusSource | undefined,
    metrics: ClientMetrics,
  ) {
    this.#balancer = balancer;
    this.#attempts = attempts;
    this.#documents = documents;
    this.#agents = agents;
    this.#statusSource = statusSource;
    this.#metrics = metrics;
  }

  /** The WSDL as node-soap received it: every service address rewritten to the balancer's own. */
  get wsdl(): string {
    return this.#documents.wsdl;
  }

  /**
   * Every document node-soap fetched (WSDL, imports, schemas), as rewritten: by path for documents
   * from the pool, by URL for documents fetched from another host.
   */
  get documents(): ReadonlyMap<string, string> {
    return this.#documents.all;
  }

  /** Every service address rewritten, over all documents fetched. */
  get addresses(): RewrittenAddress[] {
    return this.#documents.addresses;
  }

  /** Name of the selection policy in use. */
  get policy(): string {
    return this.#balancer.policyName;
  }

  /** A snapshot of every server's state: in-flight calls, up or down, counters. */
  servers(): ServerInfo[] {
    return this.#balancer.servers();
  }

  /**
   * This client's metrics now, as data (`soap_balancer_client_*`, each series labelled with the
   * client's `name`): for {@link encodePrometheusText}, the `soap-balancer/prom-client` adapter, or any
   * other metrics system. Always the same families; counters count from the client's creation.
   */
  metrics(): MetricFamily[] {
    return this.#metrics.families();
  }

  /** {@link metrics} in Prometheus' text format, to serve at an application's `/metrics`. */
  metricsText(): string {
    return encodePrometheusText(this.#metrics.families());
  }

  /** Subscribes to a balancer event (see `BalancerEvents`). */
  on<E extends keyof BalancerEvents>(event: E, listener: (...args: BalancerEvents[E]) => void): this {
    this.#balancer.on(event, listener);
    return this;
  }

  off<E extends keyof BalancerEvents>(event: E, listener: (...args: BalancerEvents[E]) => void): this {
    this.#balancer.off(event, listener);
    return this;
  }

  /**
   * Cancels calls in flight (they fail with `SOAPBAL_CLOSED`, whose `mayHaveRun` says whether the
   * request had been sent), fails later calls the same way, and closes the client's connections, so
   * nothing of it keeps the process alive. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#attempts.close();
    this.#statusSource?.close();
    for (const agent of this.#agents) agent.destroy();
    this.#balancer.close();
  }
}
