/**
 * Small validators shared by every options object (client, monitor, load reporter, CLI). Every message
 * names the option and the value received, as p-queue words it.
 */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `\`0\` (number)`, as p-queue words it. */
export function describe(value: unknown): string {
  if (value === null) return '`null`';
  if (Array.isArray(value)) return `\`${JSON.stringify(value)}\` (array)`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string')
    return `\`${value.length > 80 ? `${value.slice(0, 80)}…` : value}\` (string)`;
  return `\`${String(value)}\` (${typeof value})`;
}

export function integerAtLeast(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(`Expected \`${name}\` to be an integer >= ${min}, got ${describe(value)}`);
  }
  if (value < min)
    throw new RangeError(`Expected \`${name}\` to be an integer >= ${min}, got ${describe(value)}`);
  return value;
}

/** The longest delay `setTimeout` honours; a larger one fires after 1 ms (Node warns, then clamps). */
export const maxTimerMs = 2_147_483_647;

/**
 * A duration in milliseconds that is used as a timer: an integer in `[min, 2^31 - 1]`. Larger values
 * would not be an error in Node, but a 1 ms timer: a silent disaster for a timeout or a backoff.
 */
export function timerMs(name: string, value: unknown, min = 1): number {
  const ms = integerAtLeast(name, value, min);
  if (ms > maxTimerMs) {
    throw new RangeError(
      `Expected \`${name}\` to be an integer >= ${min} and <= ${maxTimerMs} (ms), got ${describe(value)}`,
    );
  }
  return ms;
}

/** A finite number in `[min, max)` (`max` excluded, so a jitter of 1 cannot make a zero delay). */
export function numberInRange(name: string, value: unknown, min: number, maxExcluded: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(
      `Expected \`${name}\` to be a number >= ${min} and < ${maxExcluded}, got ${describe(value)}`,
    );
  }
  if (value < min || value >= maxExcluded) {
    throw new RangeError(
      `Expected \`${name}\` to be a number >= ${min} and < ${maxExcluded}, got ${describe(value)}`,
    );
  }
  return value;
}

export function positiveNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`Expected \`${name}\` to be a number > 0, got ${describe(value)}`);
  }
  if (value <= 0) throw new RangeError(`Expected \`${name}\` to be a number > 0, got ${describe(value)}`);
  return value;
}

/**
 * A path (query allowed) appended to each server's base URL. No whitespace, control characters or
 * fragment: the probe writes it into a request line as is.
 */
export function requestPath(name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^\/[\x21-\x22\x24-\x7e]*$/.test(value) || value.length > 2_048) {
    throw new TypeError(
      `Expected \`${name}\` to be a path starting with \`/\` (printable ASCII, no \`#\`), got ${describe(value)}`,
    );
  }
  return value;
}

export function ofFunction<T>(name: string, value: unknown, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'function')
    throw new TypeError(`Expected \`${name}\` to be a function, got ${describe(value)}`);
  return value as T;
}

/** An absolute http(s) URL. */
export function httpUrl(name: string, value: unknown): URL {
  if (typeof value !== 'string' || !URL.canParse(value)) {
    throw new TypeError(`Expected \`${name}\` to be an absolute http(s) URL, got ${describe(value)}`);
  }
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`Expected \`${name}\` to be an absolute http(s) URL, got ${describe(value)}`);
  }
  return url;
}
