import type { Balancer } from '../balancer/balancer.js';
import { ErrorCode, SoapBalancerError } from '../errors.js';
import type { MonitoredServerEntry } from '../monitor/server-entry.js';
import { ServersFileWatcher } from '../servers-file/watcher.js';
import { normalizeBaseUrl } from '../urls.js';
import type { ServerStatus } from './schema.js';
import type { StatusSource } from './source.js';

/**
 * The pool from a servers file (the monitor's format: `URL [id=NAME] [draining]` per line), reread
 * when it changes: servers added to the file join the pool, removed ones leave it, `draining` ones get
 * no new calls. The file is the operator's own configuration: {@link lists} lets the allow rule admit
 * what it names. A file that cannot be read or parsed is reported (`statusError`) and the pool stays.
 */
export class ServersFileStatusSource implements StatusSource {
  readonly #watcher: ServersFileWatcher;
  readonly #balancer: Balancer;
  readonly #intervalMs: number;
  #listed: ReadonlySet<string> = new Set();
  #lastError: SoapBalancerError | undefined;

  constructor(path: string, balancer: Balancer, intervalMs = 1_000) {
    this.#watcher = new ServersFileWatcher(path);
    this.#balancer = balancer;
    this.#intervalMs = intervalMs;
  }

  get lastError(): SoapBalancerError | undefined {
    return this.#lastError;
  }

  /** Whether the file, as last applied, names this base URL. */
  lists(url: URL): boolean {
    return this.#listed.has(normalizeBaseUrl(url));
  }

  async start(): Promise<boolean> {
    let ok = true;
    try {
      this.#apply(await this.#watcher.read());
    } catch (error: unknown) {
      this.#failed(error);
      ok = false;
    }
    this.#watcher.watch(
      this.#intervalMs,
      (entries) => this.#apply(entries),
      (error) => this.#failed(error),
    );
    return ok;
  }

  beforeCall(): void {}

  close(): void {
    this.#watcher.close();
  }

  #apply(entries: readonly MonitoredServerEntry[]): void {
    this.#listed = new Set(entries.map((entry) => entry.url));
    this.#lastError = undefined;
    this.#balancer.applyStatus({
      version: 1,
      generatedAt: new Date().toISOString(),
      servers: entries.map(statusOf),
    });
  }

  #failed(error: unknown): void {
    this.#lastError = new SoapBalancerError(
      ErrorCode.StatusInvalid,
      `Servers file not applied: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
    this.#balancer.statusFailed(this.#lastError);
  }
}

function statusOf(entry: MonitoredServerEntry): ServerStatus {
  return {
    id: entry.id,
    url: entry.url,
    state: entry.draining ? 'draining' : 'up',
    load: 0,
    loadSource: 'none',
    capacity: null,
    inFlight: null,
    queued: null,
    served: null,
    eventLoopDelayMs: null,
    latencyMs: null,
    lastCheckedAt: null,
  };
}
