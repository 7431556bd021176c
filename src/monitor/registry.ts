import type { ServerStatus } from '../status/schema.js';
import { type HealthSettings, ServerHealth } from './health.js';
import type { ReporterMemory } from './prober.js';
import { type MonitoredServerEntry, maxMonitoredServers, normalizeServerEntry } from './server-entry.js';

/** One watched server: its identity, its drain flag and what probing learnt of it. */
export interface Member {
  readonly id: string;
  readonly url: string;
  draining: boolean;
  readonly health: ServerHealth;
  readonly memory: ReporterMemory;
}

/** The monitor's servers, in the order they were added (the order of `/status`). */
export class ServerRegistry {
  readonly #members = new Map<string, Member>();
  readonly #byUrl = new Map<string, Member>();
  readonly #settings: HealthSettings;

  constructor(settings: HealthSettings, entries: readonly MonitoredServerEntry[]) {
    this.#settings = settings;
    for (const entry of entries) this.#insert(entry);
  }

  get size(): number {
    return this.#members.size;
  }

  /**
   * Validates and adds a server.
   * @throws {TypeError} for an invalid entry or one whose id or URL is taken; {RangeError} when full.
   */
  add(input: unknown): Member {
    const entry = normalizeServerEntry(input, 'server');
    if (this.#members.size >= maxMonitoredServers) {
      throw new RangeError(
        `Cannot add \`${entry.id}\`: a monitor watches at most ${maxMonitoredServers} servers`,
      );
    }
    if (this.#members.has(entry.id))
      throw new TypeError(`A server with id \`${entry.id}\` is already watched`);
    if (this.#byUrl.has(entry.url))
      throw new TypeError(`A server with URL \`${entry.url}\` is already watched`);
    return this.#insert(entry);
  }

  /** The server whose id, else whose URL (normalized), is `idOrUrl`. */
  find(idOrUrl: string): Member | undefined {
    const byId = this.#members.get(idOrUrl);
    if (byId) return byId;
    try {
      return this.#byUrl.get(normalizeServerEntry(idOrUrl, 'idOrUrl').url);
    } catch {
      return undefined;
    }
  }

  remove(member: Member): void {
    this.#members.delete(member.id);
    this.#byUrl.delete(member.url);
  }

  /** Whether `member` is still watched (a probe may end after its server was removed). */
  has(member: Member): boolean {
    return this.#members.get(member.id) === member;
  }

  members(): Member[] {
    return [...this.#members.values()];
  }

  statuses(): ServerStatus[] {
    return this.members().map(statusOf);
  }

  #insert(entry: MonitoredServerEntry): Member {
    const member: Member = {
      id: entry.id,
      url: entry.url,
      draining: entry.draining,
      health: new ServerHealth(this.#settings),
      memory: { skipReportRounds: 0 },
    };
    this.#members.set(member.id, member);
    this.#byUrl.set(member.url, member);
    return member;
  }
}

export function statusOf(member: Member): ServerStatus {
  return { id: member.id, url: member.url, ...member.health.figures(member.draining) };
}
