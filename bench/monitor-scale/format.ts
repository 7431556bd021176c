/** Plain-text table of label/value rows: labels left-aligned, values left-aligned after two blanks. */
export function formatPairs(
  headers: readonly [string, string],
  rows: readonly (readonly [string, string])[],
): string {
  const all = [headers, ...rows];
  const width = Math.max(...all.map(([label]) => label.length));
  const valueWidth = Math.max(...all.map(([, value]) => value.length));
  const line = ([label, value]: readonly [string, string]) => `${label.padEnd(width)}  ${value}`;
  return [line(headers), `${'-'.repeat(width)}  ${'-'.repeat(valueWidth)}`, ...rows.map(line)].join('\n');
}

/** `1234.5` → `1,235`: answers per second read better without decimals and with grouping. */
export function whole(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Bytes in kB (1,000 bytes), one decimal. */
export function kilobytes(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}
