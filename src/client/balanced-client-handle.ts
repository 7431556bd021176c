import type { Agent as HttpAgent } from 'node:http';
import type { Balancer } from '../balancer/balancer.js';
import type { BalancerEvents } from '../balancer/events.js';
import type { ServerInfo } from '../balancer/server.js';
import type { MonitorStatusSource } from '../status/monitor-source.js';
import type { BalancingHttpClient } from '../transport/balancing-http-client.js';
import type { RewrittenAddress } from '../wsdl/rewrite.js';

/** What a balanced client adds to a node-soap client, as `client.balancer`. */
export class BalancedClientHandle {
  readonly #balancer: Balancer;
  readonly #transport: BalancingHttpClient;
  readonly #agents: readonly HttpAgent[];
  readonly #statusSource: MonitorStatusSource | undefined;
  #closed = false;

  /** @internal Made by {@link createBalancedClient}. */
  constructor(
    balancer: Balancer,
    transport: BalancingHttpClient,
    agents: readonly HttpAgent[],
    statusSource: MonitorStatusSource | undefined,
  ) {
    this.#balancer = balancer;
    this.#transport = transport;
    this.#agents = agents;
    this.#statusSource = statusSource;
  }

  /** The WSDL as node-soap received it: every service address rewritten to the balancer's own. */
  get wsdl(): string {
    // The first document fetched is the WSDL itself; imports follow it.
    return this.#transport.descriptions.values().next().value?.xml ?? '';
  }

  /** Every document fetched through the balancer (WSDL, imports, schemas), by path, as rewritten. */
  get documents(): ReadonlyMap<string, string> {
    return new Map([...this.#transport.descriptions].map(([path, result]) => [path, result.xml]));
  }

  /** Every service address rewritten, over all documents fetched. */
  get addresses(): RewrittenAddress[] {
    return [...this.#transport.descriptions.values()].flatMap((result) => result.addresses);
  }

  /** Name of the selection policy in use. */
  get policy(): string {
    return this.#balancer.policyName;
  }

  /** A snapshot of every server's state: in-flight calls, up or down, counters. */
  servers(): ServerInfo[] {
    return this.#balancer.servers();
  }

  /** Subscribes to a balancer event (see `BalancerEvents`). */
  on<E extends keyof BalancerEvents>(event: E, listener: (...args: BalancerEvents[E]) => void): this {
    this.#balancer.on(event, listener as never);
    return this;
  }

  off<E extends keyof BalancerEvents>(event: E, listener: (...args: BalancerEvents[E]) => void): this {
    this.#balancer.off(event, listener as never);
    return this;
  }

  /**
   * Aborts calls in flight (they fail with `SOAPBAL_CLOSED`), fails later calls the same way, and
   * closes the client's idle connections, so nothing of it keeps the process alive. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#transport.close();
    this.#statusSource?.close();
    for (const agent of this.#agents) agent.destroy();
    this.#balancer.removeAllListeners();
  }
}
