import type { TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import { startPlainServer } from './servers.js';
import { type ScriptedServer, statusSnapshot } from './status-snapshot.js';

export interface FakeMonitor {
  /** The status API URL, as a balanced client's `monitor.url`. */
  readonly url: string;
  /** Status requests received, with the headers that matter. */
  readonly requests: {
    authorization: string | undefined;
    ifNoneMatch: string | undefined;
    /** Whether the answer was gzip-coded (it is when the request accepts gzip, as the real monitor does). */
    gzipped: boolean;
  }[];
  /** Answers from now on with these servers (state and load each), as a valid v1 snapshot with an ETag. */
  report(servers: readonly ScriptedServer[]): void;
  /** Answers from now on with this raw body and status instead. */
  answerRaw(status: number, body: string): void;
  /** From now on, accepts status requests and never answers them. */
  hang(): void;
}

/**
 * A stand-in for the monitor's status API whose answers the test scripts, so that a test can make the
 * monitor lie, fail or hang at will. The real monitor is tested against the same client elsewhere.
 */
export async function startFakeMonitor(t: TestContext): Promise<FakeMonitor> {
  const requests: FakeMonitor['requests'] = [];
  let answer: { status: number; body: string; etag?: string } | 'hang' = { status: 503, body: 'not ready' };
  let version = 0;
  const server = await startPlainServer(t, (request, response) => {
    const gzipped = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
    requests.push({
      authorization: request.headers.authorization,
      ifNoneMatch: request.headers['if-none-match'],
      gzipped,
    });
    if (answer === 'hang') return;
    if (answer.etag !== undefined && request.headers['if-none-match'] === answer.etag) {
      response.writeHead(304, { ETag: answer.etag }).end();
      return;
    }
    const headers = {
      'Content-Type': 'application/json',
      ...(answer.etag === undefined ? {} : { ETag: answer.etag }),
      ...(gzipped ? { 'Content-Encoding': 'gzip' } : {}),
    };
    response.writeHead(answer.status, headers).end(gzipped ? gzipSync(answer.body) : answer.body);
  });
  return {
    url: `${server.url}/status`,
    requests,
    report(servers) {
      const body = JSON.stringify(statusSnapshot(servers));
      answer = { status: 200, body, etag: `"${++version}"` };
    },
    answerRaw(status, body) {
      answer = { status, body };
    },
    hang() {
      answer = 'hang';
    },
  };
}
