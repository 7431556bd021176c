// The balancing scenarios of the issue, with their targets against HAProxy's leastconn.
import { comparison } from './compare.js';

export const heterogeneous = comparison({
  name: 'heterogeneous',
  title: 'one backend 5x slower than the others (b1), soap-balancer vs HAProxy leastconn',
  mults: [5, 1, 1, 1],
  steps: [
    // 8 callers fit in the 12 slots of the fast backends: a balancer that sees load should avoid b1.
    { concurrency: 8, target: { throughputAtLeast: 1.25, p99AtMost: 0.5 } },
    // 32 callers saturate all 16 slots: throughput is capped alike, the tail is where it shows.
    { concurrency: 32, target: { throughputAtLeast: 1.0, p99AtMost: 0.6 } },
  ],
});

export const identical = comparison({
  name: 'identical',
  title: 'four identical backends, soap-balancer vs HAProxy leastconn',
  mults: [1, 1, 1, 1],
  // Nothing to gain here: the balancer must merely not lose to a server-side balancer.
  steps: [
    { concurrency: 8, target: { throughputAtLeast: 0.97, p99AtMost: 1.1 } },
    { concurrency: 32, target: { throughputAtLeast: 0.97, p99AtMost: 1.1 } },
  ],
});

/** Many independent app processes, each with its own balanced client, over one shared pool. */
const manyClients = (reporters: boolean) => ({
  steps: [
    { processes: 4, concurrency: 8 },
    { processes: 8, concurrency: 4 },
  ],
  policies: ['least-busy'] as const,
  serversOnly: true,
  reporters,
});

const heterogeneousTarget = { throughputAtLeast: 1.0, p99AtMost: 0.6 };
const identicalTarget = { throughputAtLeast: 0.98, p99AtMost: 1.1 };
const withTarget = (target: typeof heterogeneousTarget, reporters: boolean) => {
  const scenario = manyClients(reporters);
  return { ...scenario, steps: scenario.steps.map((step) => ({ ...step, target })) };
};

export const manyHeterogeneous = comparison({
  name: 'many-heterogeneous',
  title: 'client processes over one backend 5x slower, reporting load, vs HAProxy leastconn',
  mults: [5, 1, 1, 1],
  ...withTarget(heterogeneousTarget, true),
});

export const manyIdentical = comparison({
  name: 'many-identical',
  title: 'client processes over four identical backends, reporting load, vs HAProxy leastconn',
  mults: [1, 1, 1, 1],
  ...withTarget(identicalTarget, true),
});

export const manyHeterogeneousUnreported = comparison({
  name: 'many-heterogeneous-unreported',
  title: 'client processes over one backend 5x slower, no load reporters, vs HAProxy leastconn',
  mults: [5, 1, 1, 1],
  ...withTarget(heterogeneousTarget, false),
});

export const manyIdenticalUnreported = comparison({
  name: 'many-identical-unreported',
  title: 'client processes over four identical backends, no load reporters, vs HAProxy leastconn',
  mults: [1, 1, 1, 1],
  ...withTarget(identicalTarget, false),
});
