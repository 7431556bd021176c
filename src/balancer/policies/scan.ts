import type { PickView, ServerView } from '../policy.js';

/**
 * The eligible server of least cost, by a full scan; ties broken by reservoir sampling, so each tied
 * server is equally likely whatever the order or eligibility of the others.
 */
export function leastCostOf(view: PickView, random: () => number): ServerView | undefined {
  let best: ServerView | undefined;
  let bestCost = Number.POSITIVE_INFINITY;
  let ties = 0;
  for (const server of view.servers) {
    const cost = server.cost;
    if (cost > bestCost || !view.isEligible(server)) continue;
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
export function randomEligibleOf(view: PickView, random: () => number): ServerView | undefined {
  let chosen: ServerView | undefined;
  let seen = 0;
  for (const server of view.servers) {
    if (view.isEligible(server) && random() * ++seen < 1) chosen = server;
  }
  return chosen;
}
