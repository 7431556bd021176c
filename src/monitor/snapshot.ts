import { randomBytes } from 'node:crypto';
import { type ServerStatus, type StatusSnapshot, statusSchemaVersion } from '../status/schema.js';

/** A snapshot as served: the object, its JSON body and its entity tag. */
export interface PublishedSnapshot {
  readonly snapshot: StatusSnapshot;
  readonly body: Buffer;
  /** A weak entity tag, e.g. `W/"k3x9-42"`: the same for every body that a client would act on alike. */
  readonly etag: string;
}

/**
 * Holds the snapshot the status API serves. The body is republished whenever its content changes (each
 * round's `lastCheckedAt` and latencies), but its ETag changes only when something a client acts on
 * does: a server's state, the membership (ids, URLs, order), or a server's load moving by more than
 * `loadThreshold` since the ETag last changed. Latency jitter then costs a poller a body-less 304, not
 * the whole list; the tag is weak because such bodies are equivalent, not byte-equal (RFC 9110 8.8.1).
 * The tag is `W/"<epoch>-<version>"`, the epoch random per process: a restarted monitor counts versions
 * from 1 again, and a client's cached tag from before the restart must not match.
 */
export class SnapshotPublisher {
  readonly #epoch = randomBytes(6).toString('base64url');
  readonly #now: () => number;
  readonly #loadThreshold: number;
  #version = 0;
  #serversJson = '';
  /** The servers as of the last ETag change, to measure later ones against. */
  #tagged: readonly ServerStatus[] = [];
  #current!: PublishedSnapshot;

  constructor(now: () => number, servers: readonly ServerStatus[], loadThreshold = 0) {
    this.#now = now;
    this.#loadThreshold = loadThreshold;
    this.publish(servers);
  }

  get current(): PublishedSnapshot {
    return this.#current;
  }

  /**
   * Publishes `servers` if they differ from the published ones; `generatedAt` is then now, and the ETag
   * new if the difference is one a client acts on. Returns whether a new body was published.
   */
  publish(servers: readonly ServerStatus[]): boolean {
    const serversJson = JSON.stringify(servers);
    if (this.#version > 0 && serversJson === this.#serversJson) return false;
    if (this.#version === 0 || this.#actionable(servers)) {
      this.#version++;
      this.#tagged = servers;
    }
    this.#serversJson = serversJson;
    const generatedAt = new Date(this.#now()).toISOString();
    const snapshot: StatusSnapshot = deepFreeze({
      version: statusSchemaVersion,
      generatedAt,
      servers: [...servers],
    });
    // Built around the servers' JSON, already made for the comparison, rather than serialized twice.
    const body = Buffer.from(
      `{"version":${statusSchemaVersion},"generatedAt":${JSON.stringify(generatedAt)},"servers":${serversJson}}`,
    );
    this.#current = { snapshot, body, etag: `W/"${this.#epoch}-${this.#version}"` };
    return true;
  }

  /** Whether `servers` differ from the tagged ones in a way that could change a client's picks. */
  #actionable(servers: readonly ServerStatus[]): boolean {
    const tagged = this.#tagged;
    if (servers.length !== tagged.length) return true;
    return servers.some((server, index) => {
      const before = tagged[index] as ServerStatus;
      return (
        server.id !== before.id ||
        server.url !== before.url ||
        server.state !== before.state ||
        server.loadSource !== before.loadSource ||
        Math.abs(server.load - before.load) > this.#loadThreshold
      );
    });
  }
}

/** Callers get the published snapshot itself: freezing it keeps one caller from changing it for all. */
function deepFreeze(snapshot: StatusSnapshot): StatusSnapshot {
  for (const server of snapshot.servers) Object.freeze(server);
  Object.freeze(snapshot.servers);
  return Object.freeze(snapshot);
}
