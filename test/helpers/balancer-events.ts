import type { BalancedSoapClient, BalancerEvents } from '../../src/index.js';

/** Every payload of `event` the client emits from now on, in order. */
export function record<E extends keyof BalancerEvents>(
  client: BalancedSoapClient,
  event: E,
): BalancerEvents[E][0][] {
  const events: BalancerEvents[E][0][] = [];
  client.balancer.on(event, ((payload: BalancerEvents[E][0]) => events.push(payload)) as never);
  return events;
}

/** The state the client sees a server in; `undefined` when it is not in the pool. */
export const stateOf = (client: BalancedSoapClient, url: string) =>
  client.balancer.servers().find((server) => server.url === url)?.state;
