import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';

/** A request body the proxy will not take: answered 413. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(maxBytes: number) {
    super(`The request body is larger than ${maxBytes} bytes`);
  }
}

/**
 * A request body as the proxy holds it: whole (`buffered`, up to the replay bound: it can be sent
 * again to another server), or its first bytes (`head`, enough to find the operation) with the rest
 * still to stream from the client (`streamed`: it can be sent once only).
 */
export type RequestBody =
  | { readonly kind: 'buffered'; readonly bytes: Buffer }
  | {
      readonly kind: 'streamed';
      readonly head: Buffer;
      readonly rest: IncomingMessage;
      readonly maxBytes: number;
    };

/**
 * Reads the request body up to `replayBytes`. Resolves once the body ended (`buffered`) or once more
 * than `replayBytes` arrived (`streamed`: the request is left paused).
 * @throws {BodyTooLargeError} when `Content-Length` announces more than `maxBytes`.
 */
export function readRequestBody(
  request: IncomingMessage,
  replayBytes: number,
  maxBytes: number,
): Promise<RequestBody> {
  const declared = Number(request.headers['content-length']);
  if (declared > maxBytes) return Promise.reject(new BodyTooLargeError(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const cleanUp = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length <= replayBytes) return;
      cleanUp();
      request.pause();
      if (length > maxBytes) {
        reject(new BodyTooLargeError(maxBytes));
        return;
      }
      resolve({ kind: 'streamed', head: Buffer.concat(chunks, length), rest: request, maxBytes });
    };
    const onEnd = () => {
      cleanUp();
      // Most SOAP requests arrive in one chunk: no copy then.
      resolve({
        kind: 'buffered',
        bytes: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length),
      });
    };
    const onError = (error: Error) => {
      cleanUp();
      reject(error);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}

/** The first bytes of a body, where its operation is looked for. */
export function bodyHead(body: RequestBody): Buffer {
  return body.kind === 'buffered' ? body.bytes : body.head;
}

/** Passes bytes on until more than `maxBytes` went through in all (`already` counted before), then fails. */
export class ByteLimit extends Transform {
  #seen: number;
  readonly #maxBytes: number;

  constructor(already: number, maxBytes: number) {
    super();
    this.#seen = already;
    this.#maxBytes = maxBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.#maxBytes) callback(new BodyTooLargeError(this.#maxBytes));
    else callback(null, chunk);
  }
}
