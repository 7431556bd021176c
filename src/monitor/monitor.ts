import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { ErrorCode, SoapBalancerError } from '../errors.js';
import { encodePrometheusText } from '../metrics/encode.js';
import type { MetricFamily } from '../metrics/families.js';
import type { ServerStatus, StatusSnapshot } from '../status/schema.js';
import { describe } from '../validate.js';
import type { MonitorEvents } from './events.js';
import { type MonitorHistory, RoundHistory } from './history.js';
import { HttpProbeTransport, type ProbeTransport } from './http-transport.js';
import { MonitorMetrics } from './monitor-metrics.js';
import { type MonitorOptions, type NormalizedMonitorOptions, normalizeMonitorOptions } from './options.js';
import { Prober } from './prober.js';
import { type Member, ServerRegistry, statusOf } from './registry.js';
import { forEachLimited, nextRoundDelay, RoundLoop } from './rounds.js';
import { type MonitoredServerInput, normalizeServerList } from './server-entry.js';
import { type PublishedSnapshot, SnapshotPublisher } from './snapshot.js';
import { listenStatus, type StatusListenOptions } from './status-listen.js';
import type { StatusServer } from './status-server.js';

/**
 * The monitoring server: probes every replica each round and serves what it saw (`snapshot()`, and over
 * HTTP with `listen()`). The snapshot is published once per round, when the round is complete, and at
 * once after a membership or drain change, so a client never reads half a round.
 */
export class Monitor extends EventEmitter<MonitorEvents> {
  readonly #options: NormalizedMonitorOptions;
  readonly #registry: ServerRegistry;
  readonly #publisher: SnapshotPublisher;
  readonly #prober: Prober;
  readonly #metrics: MonitorMetrics;
  readonly #history: RoundHistory;
  /** The transport the monitor made, and so closes; `undefined` when one was given. */
  readonly #ownTransport: HttpProbeTransport | undefined;
  /** Membership changed since the last publication. */
  #changed = false;
  readonly #rounds: RoundLoop;
  #started: Promise<void> | undefined;
  #statusServer: Promise<StatusServer> | undefined;
  #closing: Promise<void> | undefined;

  /** @throws {TypeError | RangeError} for invalid options, naming the option and the value received. */
  constructor(options: MonitorOptions) {
    super();
    this.#options = normalizeMonitorOptions(options);
    const { transport, now } = this.#options;
    this.#ownTransport = transport ? undefined : new HttpProbeTransport();
    this.#prober = new Prober({
      ...this.#options,
      transport: (transport ?? this.#ownTransport) as ProbeTransport,
    });
    this.#registry = new ServerRegistry(this.#options, this.#options.servers);
    this.#publisher = new SnapshotPublisher(now, this.#registry.statuses(), this.#options.etagLoadThreshold);
    this.#metrics = new MonitorMetrics(() => this.#registry.statuses());
    this.#history = new RoundHistory(this.#options.historyRounds);
    const { intervalMs, jitter, random } = this.#options;
    this.#rounds = new RoundLoop(
      () => this.#runRound(),
      (elapsedMs) => nextRoundDelay(intervalMs, jitter, random(), elapsedMs),
    );
  }

  /**
   * Probes every server once, resolves when that round is complete, then keeps probing in the background.
   * Rejects with `SOAPBAL_CLOSED` after `close()`.
   */
  start(): Promise<void> {
    if (this.#closing) return Promise.reject(monitorClosed());
    this.#started ??= this.#rounds.start();
    return this.#started;
  }

  /** Stops probing, closes the status API and every connection. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /** The published view: what `GET /status` serves. Frozen; `generatedAt` is when it last changed. */
  snapshot(): StatusSnapshot {
    return this.#published().snapshot;
  }

  /** Every server's status as of its latest probe (possibly newer than the published snapshot). */
  servers(): ServerStatus[] {
    return this.#registry.statuses();
  }

  /**
   * The monitor's metrics now, as data (`soap_balancer_monitor_*`): what `GET /metrics` serves, for
   * `encodePrometheusText` or the `soap-balancer/prom-client` adapter. Always the same families.
   */
  metrics(): MetricFamily[] {
    return this.#metrics.families();
  }

  /** {@link metrics} in Prometheus' text format. */
  metricsText(): string {
    return encodePrometheusText(this.#metrics.families());
  }

  /**
   * The last `historyRounds` rounds of every watched server (state, load, in-flight, calls finished,
   * latency), oldest first: what the dashboard charts.
   */
  history(): MonitorHistory {
    return { intervalMs: this.#options.intervalMs, servers: this.#history.read() };
  }

  /**
   * Watches one more server from the next round on.
   * @throws {TypeError} for an invalid server or a taken id or URL; {RangeError} beyond 10,000 servers.
   */
  addServer(server: MonitoredServerInput): ServerStatus {
    const member = this.#registry.add(server);
    this.#changed = true;
    return statusOf(member);
  }

  /**
   * Makes the monitor watch exactly `servers`, all or nothing: the whole list is validated first (at
   * most 10,000, distinct ids and URLs) and an invalid one changes nothing. A server listed with the id
   * and URL it has keeps its state (no new first probe); its drain flag is set from the entry (`false`
   * when not given). The snapshot is republished at once when anything changed.
   * @returns how many servers were added and removed.
   * @throws {TypeError | RangeError} naming `servers[i]` and the value received.
   */
  setServers(servers: readonly MonitoredServerInput[]): { added: number; removed: number } {
    const { added, removed, drained } = this.#registry.replace(normalizeServerList(servers, 'servers'));
    if (added + removed + drained > 0) this.#changed = true;
    return { added, removed };
  }

  /** Stops watching the server with this id (else this URL). Returns false when there is none. */
  removeServer(idOrUrl: string): boolean {
    const member = this.#registry.find(idOrUrl);
    if (!member) return false;
    this.#registry.remove(member);
    this.#changed = true;
    return true;
  }

  /**
   * Marks a server draining (alive but to get no new calls) or back in service. Returns false when no
   * server has this id (or URL).
   */
  setDraining(idOrUrl: string, draining: boolean): boolean {
    if (typeof draining !== 'boolean')
      throw new TypeError(`Expected \`draining\` to be a boolean, got ${describe(draining)}`);
    const member = this.#registry.find(idOrUrl);
    if (!member) return false;
    if (member.draining !== draining) {
      member.draining = draining;
      this.#changed = true;
    }
    return true;
  }

  /**
   * Serves the status API (see `status-server.ts`) until `close()`. One per monitor.
   * @returns `url`: the `/status` URL, with the actual port when `port` was 0.
   * @throws {SoapBalancerError} `SOAPBAL_CLOSED` after `close()`, `SOAPBAL_ALREADY_LISTENING` when it
   * listens already; {TypeError | RangeError} for invalid options; the system error when the port is taken.
   */
  async listen(options: StatusListenOptions = {}): Promise<{ url: string }> {
    if (this.#closing) throw monitorClosed();
    if (this.#statusServer) {
      throw new SoapBalancerError(ErrorCode.AlreadyListening, 'The monitor is already listening');
    }
    // Synchronous validation errors throw here, before any state changes.
    this.#statusServer = listenStatus(
      options,
      this.#options.token,
      () => this.#published(),
      () => this.#metrics.families(),
      () => this.history(),
    );
    // A failed listen (port taken) must not block a later attempt.
    this.#statusServer.catch(() => (this.#statusServer = undefined));
    const { url } = await this.#statusServer;
    return { url };
  }

  #published(): PublishedSnapshot {
    if (this.#changed) this.#publish();
    return this.#publisher.current;
  }

  #publish(statuses = this.#registry.statuses()): void {
    this.#changed = false;
    this.#publisher.publish(statuses);
  }

  /** Probes every server (`concurrency` at a time), then publishes what the round saw. */
  async #runRound(): Promise<void> {
    const stopped = () => this.#closing !== undefined;
    const members = this.#registry.members();
    const startedAt = performance.now();
    await forEachLimited(members, this.#options.concurrency, (member) => this.#probe(member), stopped);
    if (stopped()) return;
    this.#metrics.roundEnded(performance.now() - startedAt);
    const statuses = this.#registry.statuses();
    this.#publish(statuses);
    this.#history.record(statuses, this.#options.now());
  }

  async #probe(member: Member): Promise<void> {
    const startedAt = performance.now();
    const result = await this.#prober.probe(member.url, member.memory);
    // The monitor closed or the server was removed while the probe ran: its result concerns no one.
    if (this.#closing || !this.#registry.has(member)) return;
    this.#metrics.probeEnded(member.id, result.ok, performance.now() - startedAt);
    const transition = member.health.record(result, this.#options.now());
    if (!result.ok)
      this.#safely(() => this.emit('probeError', { id: member.id, url: member.url, error: result.error }));
    if (transition === 'up') this.#safely(() => this.emit('serverUp', statusOf(member)));
    if (transition === 'down') this.#safely(() => this.emit('serverDown', statusOf(member)));
  }

  /**
   * A throwing listener must not end the round (the other servers would go unprobed and the next round
   * never be scheduled): its error is rethrown outside, as an uncaught exception, like any listener
   * throwing in a timer.
   */
  #safely(emit: () => void): void {
    try {
      emit();
    } catch (error: unknown) {
      process.nextTick(() => {
        throw error;
      });
    }
  }

  async #close(): Promise<void> {
    // Destroying the transport first ends the probes in flight, so the round stops at once.
    this.#ownTransport?.destroy();
    await this.#rounds.stop();
    const statusServer = await this.#statusServer?.catch(() => undefined);
    await statusServer?.close();
  }
}

function monitorClosed(): SoapBalancerError {
  return new SoapBalancerError(ErrorCode.Closed, 'The monitor is closed');
}

/**
 * Creates a monitor; call `start()` to probe and `listen()` to serve `/status`.
 * @throws {TypeError | RangeError} for invalid options, naming the option and the value received.
 */
export function createMonitor(options: MonitorOptions): Monitor {
  return new Monitor(options);
}
