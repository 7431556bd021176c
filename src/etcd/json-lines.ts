import type { Readable } from 'node:stream';

/**
 * The messages of a gateway stream: one JSON value per line. A line longer than `maxLineBytes` ends
 * the stream with an error (a hostile or broken member must not make the reader buffer without bound).
 * @throws {RangeError} for an oversized line; the stream's own error when it fails.
 */
export async function* jsonLines(stream: Readable, maxLineBytes: number): AsyncGenerator<unknown> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
      pending.push(chunk.subarray(start, end));
      const line = Buffer.concat(pending).toString('utf8');
      pending = [];
      pendingBytes = 0;
      start = end + 1;
      if (line.trim() !== '') yield JSON.parse(line);
    }
    pendingBytes += chunk.length - start;
    if (pendingBytes > maxLineBytes) throw new RangeError(`a stream message exceeds ${maxLineBytes} bytes`);
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
}
