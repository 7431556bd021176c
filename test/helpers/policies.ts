import type { SelectionPolicy } from '../../src/index.js';

/** Picks the first eligible server in pool order, so that a test knows which server a call goes to. */
export const firstEligible: SelectionPolicy = {
  name: 'first-eligible',
  pick: (view) => view.servers.find((server) => view.isEligible(server)),
};
