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
  #members = new Map<string, Member>();
  #byUrl = new Map<string, Member>();
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

  /**
   * Makes the registry hold exactly `entries` (validated: distinct, at most the limit), in their order.
   * A server listed with the id and URL it has keeps its member, and so what probing learnt of it; its
   * drain flag is set from the entry. All or nothing: the new membership is built aside, then swapped in.
   */
  replace(entries: readonly MonitoredServerEntry[]): MembershipChange {
    const members = new Map<string, Member>();
    const byUrl = new Map<string, Member>();
    const drained: [Member, boolean][] = [];
    let added = 0;
    for (const entry of entries) {
      const current = this.#members.get(entry.id);
      const kept = current?.url === entry.url ? current : undefined;
      if (kept === undefined) added++;
      else if (kept.draining !== entry.draining) drained.push([kept, entry.draining]);
      const member = kept ?? newMember(entry, this.#settings);
      members.set(member.id, member);
      byUrl.set(member.url, member);
    }
    let removed = 0;
    for (const member of this.#members.values()) if (members.get(member.id) !== member) removed++;
    this.#members = members;
    this.#byUrl = byUrl;
    for (const [member, draining] of drained) member.draining = draining;
    return { added, removed, drained: drained.length };
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
    const member = newMember(entry, this.#settings);
    this.#members.set(member.id, member);
    this.#byUrl.set(member.url, member);
    return member;
  }
}

/** What {@link ServerRegistry.replace} changed. */
export interface MembershipChange {
  readonly added: number;
  readonly removed: number;
  /** Servers kept whose drain flag changed. */
  readonly drained: number;
}

function newMember(entry: MonitoredServerEntry, settings: HealthSettings): Member {
  return {
    id: entry.id,
    url: entry.url,
    draining: entry.draining,
    health: new ServerHealth(settings),
    memory: { skipReportRounds: 0 },
  };
}

export function statusOf(member: Member): ServerStatus {
  return { id: member.id, url: member.url, ...member.health.figures(member.draining) };
}
