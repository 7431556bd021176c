import type { ServerResponse } from 'node:http';
import type { TestContext } from 'node:test';
import { type LoadReport, loadReportVersion } from '../../src/load-report/schema.js';
import type { ProbeAnswer, ProbeTransport } from '../../src/monitor/http-transport.js';
import { createMonitor, type Monitor } from '../../src/monitor/monitor.js';
import type { MonitorOptions } from '../../src/monitor/options.js';
import type { ServerStatus } from '../../src/status/schema.js';

/** Small intervals keep the tests quick; they assert states reached, never how long it took. */
export const fastProbing = { intervalMs: 50, timeoutMs: 50, jitter: 0 } as const;

/**
 * For tests probing real servers and asserting they are up: on a loaded machine a 50 ms probe can time
 * out and show a live server down.
 */
export const patientProbing = { intervalMs: 200, timeoutMs: 200, jitter: 0 } as const;

/** Creates a monitor closed when the test ends. */
export function monitorFor(t: TestContext, options: MonitorOptions): Monitor {
  const monitor = createMonitor(options);
  t.after(() => monitor.close());
  return monitor;
}

/**
 * Waits until `condition()` is truthy (polled every 5 ms) and returns its value. The bound only keeps a
 * broken test from hanging; nothing is asserted about the time taken.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  what: string,
  boundMs = 10_000,
): Promise<NonNullable<T>> {
  const giveUpAt = Date.now() + boundMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > giveUpAt) throw new Error(`Gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The status of server `id` as the monitor last published it. */
export function publishedStatus(monitor: Monitor, id: string): ServerStatus | undefined {
  return monitor.snapshot().servers.find((server) => server.id === id);
}

/** A load report with `fields` overriding idle defaults. */
export function loadReport(fields: Partial<LoadReport> = {}): LoadReport {
  return {
    version: loadReportVersion,
    inFlight: 0,
    queued: 0,
    capacity: 4,
    served: 0,
    eventLoopDelayMs: 0,
    uptimeMs: 1_000,
    ...fields,
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** A transport answering from a table instead of the network: `answers[url]` is called per request. */
export class FakeTransport implements ProbeTransport {
  readonly requests: string[] = [];
  readonly #answers: (url: string) => Partial<ProbeAnswer> | Error;

  constructor(answers: (url: string) => Partial<ProbeAnswer> | Error) {
    this.#answers = answers;
  }

  async get(url: URL): Promise<ProbeAnswer> {
    this.requests.push(url.href);
    const answer = this.#answers(url.href);
    if (answer instanceof Error) throw answer;
    return { status: 200, body: Buffer.alloc(0), truncated: false, latencyMs: 1, ...answer };
  }
}

/** A probe answer carrying `value` as JSON. */
export function jsonAnswer(value: unknown, status = 200): Partial<ProbeAnswer> {
  return { status, body: Buffer.from(JSON.stringify(value)) };
}
