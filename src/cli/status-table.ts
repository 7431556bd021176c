import type { ServerStatus, StatusSnapshot } from '../status/schema.js';

interface Column {
  readonly title: string;
  readonly right?: boolean;
  readonly cell: (server: ServerStatus, now: number) => string;
}

const dash = '-';
const orDash = (value: number | null, format: (value: number) => string = String) =>
  value === null ? dash : format(value);

/** The columns of `soap-balancer status`, in the spirit of HAProxy's `show stat`. */
const columns: readonly Column[] = [
  { title: 'SERVER', cell: (server) => server.id },
  { title: 'STATE', cell: (server) => server.state.toUpperCase() },
  { title: 'LOAD', right: true, cell: (server) => server.load.toFixed(2) },
  { title: 'SOURCE', cell: (server) => server.loadSource },
  { title: 'INFLIGHT', right: true, cell: (server) => orDash(server.inFlight) },
  { title: 'QUEUED', right: true, cell: (server) => orDash(server.queued) },
  { title: 'CAP', right: true, cell: (server) => orDash(server.capacity) },
  { title: 'SERVED', right: true, cell: (server) => orDash(server.served) },
  { title: 'LATENCY', right: true, cell: (server) => orDash(server.latencyMs, (ms) => `${ms.toFixed(1)}ms`) },
  { title: 'LASTCHK', right: true, cell: (server, now) => age(server.lastCheckedAt, now) },
  { title: 'URL', cell: (server) => server.url },
];

/**
 * The pool as a terminal table: a summary line, then one row per server, columns padded to their
 * widest cell. Pure (the time is passed), so what a user sees is tested line by line.
 */
export function renderStatusTable(snapshot: StatusSnapshot, source: string, now: number): string[] {
  const alive = snapshot.servers.filter((server) => server.state !== 'down').length;
  const summary = `${source}  ${alive} of ${snapshot.servers.length} servers alive  (status of ${snapshot.generatedAt})`;
  const rows = [
    columns.map((column) => column.title),
    ...snapshot.servers.map((server) => columns.map((column) => oneLine(column.cell(server, now)))),
  ];
  const widths = columns.map((_, index) => Math.max(...rows.map((row) => (row[index] as string).length)));
  const lines = rows.map((row) =>
    row
      .map((cell, index) => {
        const width = widths[index] as number;
        return columns[index]?.right ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd(),
  );
  return [summary, '', ...lines];
}

/** Seconds since the last check, e.g. `0.4s`; `never` before the first. */
function age(checkedAt: string | null, now: number): string {
  if (checkedAt === null) return 'never';
  const seconds = Math.max(0, (now - Date.parse(checkedAt)) / 1000);
  return seconds < 100 ? `${seconds.toFixed(1)}s` : `${Math.round(seconds)}s`;
}

/** A monitor is a remote party: control characters in an id must not drive the terminal. */
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the very characters to neutralize
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
