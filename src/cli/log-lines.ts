/** How the CLI writes its log lines: for people (`text`) or for log collectors (`json`). */
export type LogFormat = 'text' | 'json';

export const logFormats: readonly LogFormat[] = ['text', 'json'];

export type LogLevel = 'info' | 'warn' | 'error';

/** Facts of an event beside its message, for collectors to filter on (`server`, `state`, …). */
export type LogFields = Readonly<Record<string, string | number | boolean | readonly string[]>>;

/** Writes one line per event. */
export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/**
 * A logger writing one line per event through `write`: in `text`, `<ISO time> <LEVEL> <message>`; in
 * `json`, one object per line, `{"time", "level", "msg", ...fields}` (fields never overwrite those three).
 */
export function createLogger(format: LogFormat, write: (line: string) => void, now = Date.now): Logger {
  const log =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}) => {
      const time = new Date(now()).toISOString();
      write(
        format === 'json'
          ? JSON.stringify({ ...fields, time, level, msg: message })
          : `${time} ${level.toUpperCase().padEnd(5)} ${message}`,
      );
    };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}
