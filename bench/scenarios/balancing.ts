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
    { concurrency: 32, target: { throughputAtLeast: 0.95, p99AtMost: 0.6 } },
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
