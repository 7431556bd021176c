import type { Balancer } from '../balancer/balancer.js';
import type { MetricFamily, MetricLabels, ValueSample } from '../metrics/families.js';
import { type Collectable, Counter, collectedGauge, Histogram } from '../metrics/instruments.js';
import { serversByState } from '../metrics/servers-by-state.js';
import type { AttemptResult, CallObserver, CallOutcome } from '../observe/call-trace.js';
import type { CallMessage } from '../observe/channels.js';

/** Whose metrics: a balanced client's (`soap_balancer_client_*{client=…}`) or a proxy's (`soap_balancer_proxy_*{proxy=…}`). */
export type MetricsRole = 'client' | 'proxy';

/**
 * A balanced client's metrics (`soap_balancer_client_*`, every series labelled `client`), or the same
 * for a proxy (`soap_balancer_proxy_*`, labelled `proxy`: the proxy runs the same runners): calls and
 * document fetches counted by the runners that own them (this is their {@link CallObserver}),
 * failovers and status updates from the Balancer's events, and gauges read from the Balancer at scrape
 * time. Updating costs a few map lookups per call and attempt; text is only made when scraped.
 */
export class ClientMetrics implements CallObserver {
  readonly #collectables: Collectable[];
  readonly #calls: Counter;
  readonly #callDuration: Histogram;
  readonly #documentFetches: Counter;
  readonly #attempts: Counter;
  readonly #attemptDuration: Histogram;
  #callsInFlight = 0;
  /** Epoch ms of the last status applied or confirmed; `undefined` before the first. */
  #statusAt: number | undefined;

  /**
   * @param client the value of the `client` (or `proxy`) label.
   * @param now clock of the status' age, for tests.
   * @param role whose metrics: names and the constant label follow it.
   */
  constructor(
    client: string,
    balancer: Balancer,
    now: () => number = Date.now,
    role: MetricsRole = 'client',
  ) {
    const constLabels: MetricLabels = { [role]: client };
    const prefix = `soap_balancer_${role}_`;
    const metric = (name: string, help: string, labelNames: readonly string[]) => ({
      name: `${prefix}${name}`,
      help,
      labelNames,
      constLabels,
    });
    this.#calls = new Counter(
      metric(
        'calls_total',
        'SOAP calls ended, by operation and outcome (answered, fault, error or a SOAPBAL_* code).',
        ['operation', 'outcome'],
      ),
    );
    this.#callDuration = new Histogram(
      metric('call_duration_seconds', 'Time from a SOAP call to its answer or error, attempts included.', [
        'operation',
      ]),
    );
    this.#attempts = new Counter(
      metric('attempts_total', 'Attempts (calls and document fetches) by server and result.', [
        'server',
        'result',
      ]),
    );
    this.#attemptDuration = new Histogram(
      metric(
        'attempt_duration_seconds',
        'Time from sending an attempt to its answer or failure, by server.',
        ['server'],
      ),
    );
    const failovers = new Counter(
      metric('failovers_total', 'Attempts moved on to another server, by the failure of the previous one.', [
        'reason',
      ]),
    );
    this.#documentFetches = new Counter(
      metric('document_fetches_total', 'WSDL and schema fetches ended, by outcome.', ['outcome']),
    );
    const statusUpdates = new Counter(
      metric(
        'status_updates_total',
        'Status requests, by result: applied, confirmed (unchanged) or failed.',
        ['result'],
      ),
    );
    balancer.on('failover', (event) => failovers.labels(event.failure).inc());
    balancer.on('statusUpdate', (event) => {
      this.#statusAt = now();
      statusUpdates.labels(event.changed ? 'applied' : 'confirmed').inc();
    });
    balancer.on('statusError', () => statusUpdates.labels('failed').inc());
    const servers = () => balancer.servers();
    this.#collectables = [
      this.#calls,
      this.#callDuration,
      collectedGauge(`${prefix}calls_in_flight`, 'SOAP calls started and not yet ended.', () => [
        { labels: constLabels, value: this.#callsInFlight },
      ]),
      this.#attempts,
      this.#attemptDuration,
      failovers,
      this.#documentFetches,
      collectedGauge(
        `${prefix}servers`,
        'Servers in the pool, by state as this client (or proxy) sees it (up, down, draining).',
        () => serversByState(servers(), constLabels),
      ),
      collectedGauge(
        `${prefix}server_in_flight`,
        "Attempts this client (or proxy) has in flight on each server (a streamed answer's until it is read).",
        () =>
          servers().map(
            (server): ValueSample => ({
              labels: { ...constLabels, server: server.url },
              value: server.inFlight,
            }),
          ),
      ),
      statusUpdates,
      collectedGauge(
        `${prefix}status_age_seconds`,
        'Time since the status source last gave or confirmed a status; absent before the first.',
        () =>
          this.#statusAt === undefined
            ? []
            : [{ labels: constLabels, value: (now() - this.#statusAt) / 1000 }],
      ),
    ];
  }

  callStarted(call: CallMessage): void {
    if (call.kind === 'call') this.#callsInFlight++;
  }

  callEnded(call: CallMessage, outcome: CallOutcome, durationMs: number): void {
    if (call.kind === 'document') {
      this.#documentFetches.labels(outcome).inc();
      return;
    }
    this.#callsInFlight--;
    const operation = call.operation ?? '';
    this.#calls.labels(operation, outcome).inc();
    this.#callDuration.labels(operation).observe(durationMs / 1000);
  }

  attemptEnded(_call: CallMessage, server: string, result: AttemptResult, durationMs: number): void {
    this.#attempts.labels(server, result).inc();
    this.#attemptDuration.labels(server).observe(durationMs / 1000);
  }

  /** Every family now (the same names on every call). */
  families(): MetricFamily[] {
    return this.#collectables.map((collectable) => collectable.collect());
  }
}
