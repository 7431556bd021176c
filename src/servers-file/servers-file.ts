import {
  assertDistinct,
  type MonitoredServerEntry,
  maxMonitoredServers,
  normalizeServerEntry,
} from '../monitor/server-entry.js';

/** A servers file that cannot be used; the message starts with `file:line` when a line is at fault. */
export class ServersFileError extends Error {
  override readonly name = 'ServersFileError';
}

/**
 * Parses a servers file: one server per line, `URL [id=NAME] [draining]`, words separated by blanks;
 * `#` at the start of a line or after a blank starts a comment; blank lines are skipped.
 * @throws {ServersFileError}
 */
export function parseServersFile(text: string, fileName: string): MonitoredServerEntry[] {
  const entries: MonitoredServerEntry[] = [];
  for (const [index, rawLine] of text.split(/\r?\n/).entries()) {
    const at = `${fileName}:${index + 1}`;
    const words = rawLine
      .replace(/(^|\s)#.*$/, '')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    const [url, ...rest] = words;
    if (url === undefined) continue;
    // Stops here rather than reading on: a file this long cannot be used whatever follows.
    if (entries.length === maxMonitoredServers) {
      throw new ServersFileError(
        `${at}: more than ${maxMonitoredServers} servers, the most one monitor watches`,
      );
    }
    let id: string | undefined;
    let draining = false;
    for (const word of rest) {
      if (word === 'draining' && !draining) draining = true;
      else if (word.startsWith('id=') && id === undefined) id = word.slice(3);
      else
        throw new ServersFileError(
          `${at}: unexpected \`${word}\` (expected \`id=NAME\` or \`draining\`, once each)`,
        );
    }
    entries.push(entry(url, id, draining, at));
  }
  try {
    assertDistinct(entries, fileName);
  } catch (error: unknown) {
    throw new ServersFileError(error instanceof Error ? error.message : String(error));
  }
  return entries;
}

function entry(url: string, id: string | undefined, draining: boolean, at: string): MonitoredServerEntry {
  try {
    return normalizeServerEntry(id === undefined ? { url, draining } : { url, id, draining }, 'server');
  } catch (error: unknown) {
    throw new ServersFileError(`${at}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
