import { Agent, type IncomingMessage, request } from 'node:http';

/** A failed gateway request: `retryable` when another member (or a later try) may succeed. */
export class EtcdRequestError extends Error {
  override readonly name = 'EtcdRequestError';
  /** etcd's gRPC status code, when etcd answered with an error body. */
  readonly grpcCode: number | undefined;
  readonly retryable: boolean;

  constructor(message: string, retryable: boolean, grpcCode?: number, options?: ErrorOptions) {
    super(message, options);
    this.retryable = retryable;
    this.grpcCode = grpcCode;
  }
}

/** Unary answers (a range over 1,000 servers is ~500 KB) are bounded; more is not a status. */
const maxAnswerBytes = 32 * 1024 * 1024;

/**
 * etcd v3's JSON gateway (`POST /v3/...`, JSON bodies) over node:http, one member at a time: a
 * request that cannot reach the current member, or that it answers with a 5xx (no leader, timeout,
 * unavailable), moves to the next member and is tried there, each member once. No gRPC client is
 * needed, so no dependency: the gateway is part of every etcd >= 3.4 and speaks the same API.
 */
export class EtcdGateway {
  readonly #endpoints: readonly string[];
  readonly #timeoutMs: number;
  readonly #agent = new Agent({ keepAlive: true, timeout: 60_000 });
  #current = 0;

  /**
   * @param endpoints Members' client URLs (`http://10.0.0.1:2379`), in the order to try them: the first
   * is used until it fails (an operator spreads clients by ordering their lists differently).
   */
  constructor(endpoints: readonly string[], timeoutMs: number) {
    this.#endpoints = endpoints;
    this.#timeoutMs = timeoutMs;
  }

  /** The member requests go to now. */
  get endpoint(): string {
    return this.#endpoints[this.#current] as string;
  }

  /** Moves on to the next member (after a failure there). */
  failover(): void {
    this.#current = (this.#current + 1) % this.#endpoints.length;
  }

  /**
   * A unary call (`/v3/kv/range`, `/v3/lease/grant`, …); its JSON answer. Moves to the next member
   * on a retryable failure, trying each member once.
   * @throws {EtcdRequestError}
   */
  async call(path: string, body: object, signal?: AbortSignal): Promise<Record<string, unknown>> {
    let lastError: EtcdRequestError | undefined;
    for (let tried = 0; tried < this.#endpoints.length; tried++) {
      try {
        const response = await this.#post(path, body, signal);
        const text = await readAll(response, maxAnswerBytes);
        if (response.statusCode !== 200) throw answerError(response.statusCode ?? 0, text);
        return parseObject(text);
      } catch (error: unknown) {
        lastError = asRequestError(error);
        if (!lastError.retryable || signal?.aborted) throw lastError;
        this.failover();
      }
    }
    throw lastError as EtcdRequestError;
  }

  /**
   * Opens a server stream (`/v3/watch`) on the current member; the caller reads the answer until it
   * ends and aborts `signal` to stop it. Only the opening is timed out.
   * @throws {EtcdRequestError}
   */
  async stream(path: string, body: object, signal: AbortSignal): Promise<IncomingMessage> {
    const response = await this.#post(path, body, signal, true).catch((error: unknown) => {
      throw asRequestError(error);
    });
    if (response.statusCode !== 200) {
      throw answerError(response.statusCode ?? 0, await readAll(response, 64 * 1024).catch(() => ''));
    }
    return response;
  }

  /** Drops every connection. */
  close(): void {
    this.#agent.destroy();
  }

  /**
   * POSTs `body`; resolves with the answer once its head is in. The timeout covers the whole answer of
   * a unary call, and only the head of a stream (a watch lives as long as its owner wants).
   */
  #post(path: string, body: object, signal?: AbortSignal, streaming = false): Promise<IncomingMessage> {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, this.endpoint), {
        method: 'POST',
        agent: this.#agent,
        ...(signal ? { signal } : {}),
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(payload),
          // A watch on a member cut off from the quorum would stay silent forever; with this etcd
          // cancels it instead, and the watcher moves to another member.
          ...(streaming ? { 'Grpc-Metadata-hasleader': 'true' } : {}),
        },
      });
      const timer = setTimeout(() => {
        req.destroy(new EtcdRequestError(`etcd did not answer within ${this.#timeoutMs} ms`, true));
      }, this.#timeoutMs);
      timer.unref();
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.once('response', (response) => {
        if (streaming) clearTimeout(timer);
        else response.once('close', () => clearTimeout(timer));
        resolve(response);
      });
      req.end(payload);
    });
  }
}

/** Reads a whole answer, at most `limit` bytes. */
function readAll(response: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        response.destroy();
        reject(new EtcdRequestError(`etcd answered more than ${limit} bytes`, false));
        return;
      }
      chunks.push(chunk);
    });
    response.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.once('error', reject);
    response.once('close', () => {
      if (!response.complete) reject(new EtcdRequestError('etcd closed the connection mid-answer', true));
    });
  });
}

function parseObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new EtcdRequestError('etcd answered something that is not JSON', false);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EtcdRequestError('etcd answered something that is not a JSON object', false);
  }
  return value as Record<string, unknown>;
}

/** An error answer (`{"error": "...", "code": 14}`): 5xx (unavailable, no leader, timeout) is retryable. */
function answerError(status: number, text: string): EtcdRequestError {
  let message = `HTTP ${status}`;
  let code: number | undefined;
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown; code?: unknown };
    if (typeof body.code === 'number') code = body.code;
    const said = typeof body.message === 'string' ? body.message : body.error;
    if (typeof said === 'string') message += `: ${said.slice(0, 200)}`;
  } catch {}
  return new EtcdRequestError(`etcd answered ${message}`, status >= 500, code);
}

function asRequestError(error: unknown): EtcdRequestError {
  if (error instanceof EtcdRequestError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  // Refused, reset, timed out, unreachable: another member may answer.
  return new EtcdRequestError(`etcd could not be reached: ${reason}`, true, undefined, { cause: error });
}
