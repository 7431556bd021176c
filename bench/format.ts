// Plain-text output: aligned tables and fixed-width numbers, the same in every benchmark.

export type Cell = string | number;

/**
 * An aligned table. `align` has one letter per column, `l` or `r`; by default the first column is
 * left-aligned (labels) and the others right-aligned (numbers).
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  align = `l${'r'.repeat(Math.max(0, headers.length - 1))}`,
): string {
  const text = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...text.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) =>
        align[column] === 'l' ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(headers), rule, ...text.slice(1).map(line)].join('\n');
}

export function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

/** A heading that stands out in a long log. */
export function heading(title: string): string {
  return `\n=== ${title} ${'='.repeat(Math.max(3, 100 - title.length))}`;
}
