import { readFile, stat } from 'node:fs/promises';
import type { MonitoredServerEntry } from '../monitor/server-entry.js';
import { parseServersFile, ServersFileError } from './servers-file.js';

/**
 * Rereads a servers file when it changes. Polls `stat()` (cheap, and unlike `fs.watch` it works the
 * same on every platform and across editors that replace the file by renaming a new one onto it).
 * The signature compared includes the inode and size, not only the mtime, for that reason.
 */
export class ServersFileWatcher {
  readonly #path: string;
  /** Signature of the file last read (or last failing). */
  #signature = '';
  /** A different signature seen at the previous check: the file is changing, and is read once it stays. */
  #settling: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #checking = false;

  constructor(path: string) {
    this.#path = path;
  }

  /**
   * Reads and parses the file now.
   * @throws {ServersFileError} when it cannot be read or parsed.
   */
  async read(): Promise<MonitoredServerEntry[]> {
    try {
      const stats = await stat(this.#path);
      this.#signature = signatureOf(stats);
      return parseServersFile(await readFile(this.#path, 'utf8'), this.#path);
    } catch (error: unknown) {
      if (error instanceof ServersFileError) throw error;
      throw new ServersFileError(
        `Cannot read the servers file: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** Runs {@link check} every `intervalMs` (unref'd timer) until `close()`. */
  watch(
    intervalMs: number,
    onChange: (entries: MonitoredServerEntry[]) => void,
    onError: (error: ServersFileError) => void,
  ): void {
    this.#timer = setInterval(() => void this.check(onChange, onError), intervalMs).unref();
  }

  close(): void {
    clearInterval(this.#timer);
  }

  /**
   * Checks the file once. A change is read only when the file has stayed as it is since the previous
   * check: a file written in place is truncated, then written in chunks, and must not be applied half
   * written (an empty file would remove every server). Then calls `onChange` with the new entries, or
   * `onError` once per distinct failure.
   */
  async check(
    onChange: (entries: MonitoredServerEntry[]) => void,
    onError: (error: ServersFileError) => void,
  ): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    try {
      const signature = await stat(this.#path).then(
        signatureOf,
        (error: NodeJS.ErrnoException) => `error ${error.code}`,
      );
      const settled = signature === this.#settling;
      this.#settling = signature === this.#signature || settled ? undefined : signature;
      if (!settled) return;
      const previous = this.#signature;
      let entries: MonitoredServerEntry[];
      try {
        entries = await this.read();
      } catch (error: unknown) {
        // Remembered, so a broken file is reported once, not every interval until it is fixed.
        this.#signature = signature;
        if (signature !== previous && error instanceof ServersFileError) onError(error);
        return;
      }
      onChange(entries);
    } finally {
      this.#checking = false;
    }
  }
}

function signatureOf(stats: { mtimeMs: number; size: number; ino: number }): string {
  return `${stats.mtimeMs} ${stats.size} ${stats.ino}`;
}
