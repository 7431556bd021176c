import type { ServerView } from '../server.js';

/**
 * The eligible server of least cost, by a full scan; ties broken by reservoir sampling, so each tied
 * server is equally likely whatever the order or eligibility of the others.
 */
export function leastCostOf(
  servers: readonly ServerView[],
  isEligible: (server: ServerView) => boolean,
  random: () => number,
): ServerView | undefined {
  let best: ServerView | undefined;
  let bestCost = Number.POSITIVE_INFINITY;
  let ties = 0;
  for (const server of servers) {
    const cost = server.cost;
    if (cost > bestCost || !isEligible(server)) continue;
    if (cost < bestCost) {
      best = server;
      bestCost = cost;
      ties = 1;
    } else if (random() * ++ties < 1) {
      best = server;
    }
  }
  return best;
}

/** A uniformly random eligible server, by a full scan (reservoir sampling). */
export function randomEligibleOf(
  servers: readonly ServerView[],
  isEligible: (server: ServerView) => boolean,
  random: () => number,
): ServerView | undefined {
  let chosen: ServerView | undefined;
  let seen = 0;
  for (const server of servers) {
    if (isEligible(server) && random() * ++seen < 1) chosen = server;
  }
  return chosen;
}
