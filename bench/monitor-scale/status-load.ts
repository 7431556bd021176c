// How many `GET /status` answers the monitor serves per second while it keeps probing: `loops`
// concurrent keep-alive clients, each sending its next request as soon as the previous answer is in.
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { httpGet } from './http-get.js';

export interface StatusLoadResult {
  /** `true`: each request carries `If-None-Match` with the latest ETag seen (a current poller's 304). */
  readonly conditional: boolean;
  readonly loops: number;
  readonly seconds: number;
  readonly answers200: number;
  readonly answers304: number;
  /** Body bytes received (the 200s'; a 304 has none). */
  readonly bytes200: number;
  readonly perSecond200: number;
  readonly perSecond304: number;
  readonly avgBodyBytes200: number;
}

export async function loadStatus(
  statusUrl: string,
  options: { loops: number; durationMs: number; conditional: boolean },
): Promise<StatusLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.loops });
  let answers200 = 0;
  let answers304 = 0;
  let bytes200 = 0;
  // The snapshot changes once per probe round, so the tag goes stale every second: each 200 brings the
  // new one, which every loop then sends, as balanced clients polling the monitor do.
  let etag = options.conditional ? (await httpGet(statusUrl, agent)).etag : undefined;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const loop = async () => {
    while (performance.now() < deadline) {
      const answer = await httpGet(statusUrl, agent, etag === undefined ? {} : { 'if-none-match': etag });
      if (answer.status === 200) {
        answers200++;
        bytes200 += answer.body.length;
        if (options.conditional && answer.etag !== undefined) etag = answer.etag;
      } else if (answer.status === 304) answers304++;
      else throw new Error(`GET ${statusUrl} answered ${answer.status}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.loops }, loop));
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    conditional: options.conditional,
    loops: options.loops,
    seconds,
    answers200,
    answers304,
    bytes200,
    perSecond200: answers200 / seconds,
    perSecond304: answers304 / seconds,
    avgBodyBytes200: answers200 === 0 ? 0 : bytes200 / answers200,
  };
}
