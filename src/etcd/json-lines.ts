/**
 * Splits a gateway stream into its messages, one JSON value per line, synchronously per chunk (a
 * watch delivers many small chunks: no promise per message). A line longer than `maxLineBytes` is an
 * error: a hostile or broken member must not make the reader buffer without bound.
 */
export class JsonLines {
  readonly #maxLineBytes: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  /**
   * The complete messages `chunk` ends, in order.
   * @throws {RangeError} for an oversized line; {SyntaxError} for a line that is not JSON.
   */
  push(chunk: Buffer): unknown[] {
    const values: unknown[] = [];
    let start = 0;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, end);
      const line =
        this.#pending.length === 0
          ? piece.toString('utf8')
          : Buffer.concat([...this.#pending, piece]).toString('utf8');
      this.#pending = [];
      this.#pendingBytes = 0;
      start = end + 1;
      if (line.trim() !== '') values.push(JSON.parse(line));
    }
    if (start < chunk.length) {
      this.#pendingBytes += chunk.length - start;
      if (this.#pendingBytes > this.#maxLineBytes) {
        throw new RangeError(`a stream message exceeds ${this.#maxLineBytes} bytes`);
      }
      this.#pending.push(chunk.subarray(start));
    }
    return values;
  }
}
