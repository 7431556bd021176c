import { randomBytes } from 'node:crypto';
import { type ServerStatus, type StatusSnapshot, statusSchemaVersion } from '../status/schema.js';

/** A snapshot as served: the object, its JSON body and its entity tag. */
export interface PublishedSnapshot {
  readonly snapshot: StatusSnapshot;
  readonly body: Buffer;
  /** A strong entity tag, quoted, e.g. `"k3x9-42"`. */
  readonly etag: string;
}

/**
 * Holds the snapshot the status API serves, and gives it a new version exactly when its content
 * changes. The ETag is `"<epoch>-<version>"`, the epoch random per process: a restarted monitor counts
 * versions from 1 again, and a client's cached tag from before the restart must not match.
 */
export class SnapshotPublisher {
  readonly #epoch = randomBytes(6).toString('base64url');
  readonly #now: () => number;
  #version = 0;
  #serversJson = '';
  #current!: PublishedSnapshot;

  constructor(now: () => number, servers: readonly ServerStatus[]) {
    this.#now = now;
    this.publish(servers);
  }

  get current(): PublishedSnapshot {
    return this.#current;
  }

  /**
   * Publishes `servers` if they differ from the published ones; `generatedAt` is then now. Returns
   * whether a new version was published.
   */
  publish(servers: readonly ServerStatus[]): boolean {
    const serversJson = JSON.stringify(servers);
    if (this.#version > 0 && serversJson === this.#serversJson) return false;
    this.#version++;
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
    this.#current = { snapshot, body, etag: `"${this.#epoch}-${this.#version}"` };
    return true;
  }
}

/** Callers get the published snapshot itself: freezing it keeps one caller from changing it for all. */
function deepFreeze(snapshot: StatusSnapshot): StatusSnapshot {
  for (const server of snapshot.servers) Object.freeze(server);
  Object.freeze(snapshot.servers);
  return Object.freeze(snapshot);
}
