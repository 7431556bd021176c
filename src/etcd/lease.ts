import type { EtcdGateway } from './gateway.js';

/**
 * A lease kept alive: granted with `ttlSeconds`, renewed every third of it, and granted anew when etcd
 * says it expired (after the process was paused, or cut off for longer than the TTL). Keys bound to it
 * vanish when the process dies and stops renewing, which is how a SIGKILLed writer's keys leave.
 * `onGranted` runs with every new lease id, so that the owner puts its keys again (those of the old
 * lease are gone with it).
 */
export class KeptLease {
  readonly #gateway: EtcdGateway;
  readonly #ttlSeconds: number;
  readonly #onGranted: (id: string) => void;
  readonly #onError: (error: unknown) => void;
  readonly #closing = new AbortController();
  #id: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;

  constructor(
    gateway: EtcdGateway,
    ttlSeconds: number,
    onGranted: (id: string) => void,
    onError: (error: unknown) => void,
  ) {
    this.#gateway = gateway;
    this.#ttlSeconds = ttlSeconds;
    this.#onGranted = onGranted;
    this.#onError = onError;
  }

  /** The lease id while one is held (as decimal text: ids are 64-bit). */
  get id(): string | undefined {
    return this.#id;
  }

  /** Starts granting and renewing; the first grant is awaited and its failure reported, not thrown. */
  start(): Promise<void> {
    const renew = () => {
      this.#renewing ??= this.#renew().finally(() => (this.#renewing = undefined));
      return this.#renewing;
    };
    this.#timer = setInterval(renew, (this.#ttlSeconds * 1000) / 3);
    this.#timer.unref();
    return renew();
  }

  /** Stops renewing and revokes the lease (its keys go at once). Idempotent; never throws. */
  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    clearInterval(this.#timer);
    this.#closing.abort();
    await this.#renewing;
    const id = this.#id;
    this.#id = undefined;
    if (id !== undefined) await this.#gateway.call('/v3/lease/revoke', { ID: id }).catch(() => {});
  }

  async #renew(): Promise<void> {
    const signal = this.#closing.signal;
    try {
      if (this.#id !== undefined) {
        const answer = await this.#gateway.call('/v3/lease/keepalive', { ID: this.#id }, signal);
        const result = answer.result as { TTL?: unknown } | undefined;
        // An expired lease is renewed with no TTL (0 is left out of the JSON): a new one is needed.
        if (Number(result?.TTL ?? 0) > 0) return;
        this.#id = undefined;
      }
      const granted = await this.#gateway.call('/v3/lease/grant', { TTL: String(this.#ttlSeconds) }, signal);
      if (signal.aborted || typeof granted.ID !== 'string') return;
      this.#id = granted.ID;
      this.#onGranted(granted.ID);
    } catch (error: unknown) {
      if (!signal.aborted) this.#onError(error);
    }
  }
}
