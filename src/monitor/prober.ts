import { performance } from 'node:perf_hooks';
import type { SoapBalancerError } from '../errors.js';
import { type LoadReport, parseLoadReport } from '../load-report/schema.js';
import type { ProbeAnswer, ProbeTransport } from './http-transport.js';
import { asProbeFailure, probeFailed } from './probe-failure.js';

/** The outcome of probing one server once. */
export type ProbeResult =
  | {
      readonly ok: true;
      /** Time to first byte of the answer that decided, ms. */
      readonly latencyMs: number;
      /** The server's load report; `undefined` when only its health path answered. */
      readonly report: LoadReport | undefined;
    }
  | {
      readonly ok: false;
      /** Code `SOAPBAL_PROBE_FAILED`: the URL and what failed, the transport's error as `cause`. */
      readonly error: SoapBalancerError;
    };

/** What the prober remembers of one server between rounds. */
export interface ReporterMemory {
  /** Rounds to go before the load path is tried again; 0: try it. */
  skipReportRounds: number;
}

export interface ProberSettings {
  readonly transport: ProbeTransport;
  readonly timeoutMs: number;
  readonly healthPath: string;
  readonly loadPath: string | false;
}

/**
 * After a server answered that it has no load reporter, ask for its report again this many rounds later:
 * often enough to notice a reporter deployed at run time, rarely enough to cost nothing.
 */
export const reporterRecheckRounds = 30;

/**
 * Probes one server: its load report when it may have one, else (or when it turns out to have none)
 * its health path. A 5xx or a transport error fails the probe; a load path answering anything else
 * than a valid report only means "no reporter here".
 */
export class Prober {
  readonly #settings: ProberSettings;

  constructor(settings: ProberSettings) {
    this.#settings = settings;
  }

  async probe(baseUrl: string, memory: ReporterMemory): Promise<ProbeResult> {
    const { loadPath, healthPath, timeoutMs } = this.#settings;
    const deadline = performance.now() + timeoutMs;
    try {
      if (loadPath !== false && memory.skipReportRounds === 0) {
        const answer = await this.#get(baseUrl, loadPath, timeoutMs);
        const report = answer.status === 200 && !answer.truncated ? reportIn(answer.body) : undefined;
        if (report) return { ok: true, latencyMs: answer.latencyMs, report };
        memory.skipReportRounds = reporterRecheckRounds - 1;
      } else if (memory.skipReportRounds > 0) {
        memory.skipReportRounds--;
      }
      // The fallback gets what is left of the probe's time, so a probe never outlasts `timeoutMs`.
      // Any answer below 500 (checked in #get) proves the server is up and serving HTTP: a SOAP server
      // alive but without a page at the default '/' answers 404 there.
      const answer = await this.#get(baseUrl, healthPath, Math.max(1, deadline - performance.now()));
      return { ok: true, latencyMs: answer.latencyMs, report: undefined };
    } catch (error: unknown) {
      return { ok: false, error: asProbeFailure(baseUrl, error) };
    }
  }

  /** The answer, or a probe failure naming the URL: the transport's error, or a 5xx (alive, but cannot serve). */
  async #get(baseUrl: string, path: string, timeoutMs: number): Promise<ProbeAnswer> {
    const url = baseUrl + path;
    let answer: ProbeAnswer;
    try {
      answer = await this.#settings.transport.get(new URL(url), timeoutMs);
    } catch (error: unknown) {
      throw asProbeFailure(url, error);
    }
    if (answer.status >= 500) throw probeFailed(url, `answered HTTP ${answer.status}`);
    return answer;
  }
}

function reportIn(body: Buffer): LoadReport | undefined {
  try {
    return parseLoadReport(JSON.parse(body.toString('utf8')));
  } catch {
    return undefined;
  }
}
