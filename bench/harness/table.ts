// Plain-text output: aligned tables and fixed-width numbers, the same in every scenario.

type Cell = string | number;

/** An aligned table: columns of numbers (or `-`, `a/b`, `a <= b`) right-aligned, text left-aligned. */
export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = [headers, ...rows.map((row) => row.map(String))];
  const columns = headers.map((_, column) => text.map((row) => row[column] ?? ''));
  const widths = columns.map((cells) => Math.max(...cells.map((cell) => cell.length)));
  const numeric = columns.map((cells) => cells.slice(1).every((cell) => /^[-\d.,/<= ]*$/.test(cell)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [
    line(headers),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...text.slice(1).map(line),
  ].join('\n');
}

export function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

/** A heading that stands out in a long log. */
export function heading(title: string): string {
  return `\n=== ${title} ${'='.repeat(Math.max(3, 100 - title.length))}`;
}

/** `{ A: 2, B: 1 }` as `A 2, B 1`; `-` for none. */
export function formatCounts(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts).sort(([, a], [, b]) => b - a);
  return entries.length === 0 ? '-' : entries.map(([key, count]) => `${key} ${count}`).join(', ');
}
