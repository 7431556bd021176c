import type { ServerHealthState, ServerStatus } from '../status/schema.js';

/** One server's remembered probe rounds, oldest first; the arrays are parallel. */
export interface ServerHistory {
  readonly id: string;
  /** When each round's probe of the server was recorded (epoch ms). */
  readonly at: number[];
  readonly state: ServerHealthState[];
  readonly load: number[];
  /** Requests in flight, from the server's load report; `null` without one. */
  readonly inFlight: (number | null)[];
  /**
   * Calls the server finished since the previous round, from its report's `served` counter; `null`
   * without a report, on the first round, while down, and when the counter went back (a restart).
   */
  readonly calls: (number | null)[];
  readonly latencyMs: (number | null)[];
}

/** What `monitor.history()` returns: the last rounds of every watched server. */
export interface MonitorHistory {
  /** Time between rounds, ms (the monitor's `intervalMs`). */
  readonly intervalMs: number;
  readonly servers: ServerHistory[];
}

const states: readonly ServerHealthState[] = ['up', 'down', 'draining'];

/**
 * A fixed number of rounds of one server, in typed arrays used as a ring: the memory is taken once,
 * and a new round overwrites the oldest. `NaN` stands for `null`.
 */
class ServerRing {
  readonly #at: Float64Array;
  readonly #state: Uint8Array;
  readonly #load: Float32Array;
  readonly #inFlight: Float32Array;
  readonly #calls: Float32Array;
  readonly #latencyMs: Float32Array;
  /** Next slot to write; `#count` slots hold rounds. */
  #next = 0;
  #count = 0;
  #lastServed: number | null = null;

  constructor(capacity: number) {
    this.#at = new Float64Array(capacity);
    this.#state = new Uint8Array(capacity);
    this.#load = new Float32Array(capacity);
    this.#inFlight = new Float32Array(capacity);
    this.#calls = new Float32Array(capacity);
    this.#latencyMs = new Float32Array(capacity);
  }

  record(status: ServerStatus, at: number): void {
    const slot = this.#next;
    const served = status.served;
    const previous = this.#lastServed;
    this.#at[slot] = at;
    this.#state[slot] = states.indexOf(status.state);
    this.#load[slot] = status.load;
    this.#inFlight[slot] = status.inFlight ?? Number.NaN;
    const counted = status.state !== 'down' && served !== null && previous !== null && served >= previous;
    this.#calls[slot] = counted ? served - previous : Number.NaN;
    this.#latencyMs[slot] = status.latencyMs ?? Number.NaN;
    // A down server keeps its last report: its counter is compared again once it answers.
    if (status.state !== 'down') this.#lastServed = served;
    this.#next = (slot + 1) % this.#at.length;
    this.#count = Math.min(this.#count + 1, this.#at.length);
  }

  read(id: string): ServerHistory {
    const capacity = this.#at.length;
    const first = (this.#next - this.#count + capacity) % capacity;
    const slots = Array.from({ length: this.#count }, (_, index) => (first + index) % capacity);
    const nullable = (values: Float32Array) =>
      slots.map((slot) => (Number.isNaN(values[slot]) ? null : round(values[slot] as number)));
    return {
      id,
      at: slots.map((slot) => this.#at[slot] as number),
      state: slots.map((slot) => states[this.#state[slot] as number] as ServerHealthState),
      load: slots.map((slot) => round(this.#load[slot] as number)),
      inFlight: nullable(this.#inFlight),
      calls: nullable(this.#calls),
      latencyMs: nullable(this.#latencyMs),
    };
  }
}

/**
 * The last `rounds` probe rounds of every watched server, for the dashboard's charts: bounded per server,
 * and a removed server's rounds go with it.
 */
export class RoundHistory {
  readonly #rounds: number;
  #rings = new Map<string, ServerRing>();

  constructor(rounds: number) {
    this.#rounds = rounds;
  }

  /** Records one completed round: `servers` are every watched server, in order, as the round left them. */
  record(servers: readonly ServerStatus[], at: number): void {
    if (this.#rounds === 0) return;
    const rings = new Map<string, ServerRing>();
    for (const status of servers) {
      const ring = this.#rings.get(status.id) ?? new ServerRing(this.#rounds);
      ring.record(status, at);
      rings.set(status.id, ring);
    }
    this.#rings = rings;
  }

  /** Every server's rounds, oldest first, in the order of the last round. */
  read(): ServerHistory[] {
    return [...this.#rings].map(([id, ring]) => ring.read(id));
  }
}

/** Float32 storage shows as 0.30000001192092896: four decimals are what `/status` gives anyway. */
function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
