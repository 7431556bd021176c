import type { EtcdGateway } from './gateway.js';
import { toBase64 } from './keys.js';
import { decodeKeyValue } from './kv.js';

/**
 * Leader election among writers that share a key: the one whose lease holds the key leads. A
 * campaign is one transaction, "create the key with my lease if nobody holds it", so two candidates
 * never both win; the leader's key dies with its lease, and the next campaign of another candidate
 * (every third of a TTL) takes it over: within TTL + TTL/3 of a SIGKILL, i.e. under two TTLs.
 */
export class LeaderElection {
  readonly #gateway: EtcdGateway;
  readonly #key: string;
  readonly #candidate: string;

  /** @param candidate What the leader writes in the key: who it is (for operators reading etcd). */
  constructor(gateway: EtcdGateway, key: string, candidate: string) {
    this.#gateway = gateway;
    this.#key = toBase64(key);
    this.#candidate = toBase64(candidate);
  }

  /**
   * Campaigns with `lease` (or checks that it still leads); resolves whether this candidate leads.
   * @throws {EtcdRequestError} when etcd cannot be asked: then nobody can tell, and the caller
   * must stop writing (its lease may expire any moment).
   */
  async campaign(lease: string): Promise<boolean> {
    const answer = await this.#gateway.call('/v3/kv/txn', {
      compare: [{ target: 'CREATE', key: this.#key, create_revision: '0', result: 'EQUAL' }],
      success: [{ request_put: { key: this.#key, value: this.#candidate, lease } }],
      failure: [{ request_range: { key: this.#key } }],
    });
    if (answer.succeeded === true) return true;
    const responses = Array.isArray(answer.responses) ? answer.responses : [];
    const range = (responses[0] as { response_range?: { kvs?: unknown[] } } | undefined)?.response_range;
    return decodeKeyValue(range?.kvs?.[0])?.lease === lease;
  }
}
