import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MonitorHistory } from './history.js';
import { sendText as end, sendJson } from './http-answers.js';
import type { PublishedSnapshot } from './snapshot.js';

/** The dashboard's files (in `./dashboard/`, beside this module in `src/` and in `dist/`) by path. */
const assets: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
  '/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};

/** Where the page polls for its figures. */
const dataPath = '/dashboard/data';

/**
 * The page loads nothing but its own script, style and data: no inline code, no other origin, no
 * framing. The served files are the monitor's own, and server ids (operator input) are written as text.
 */
const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const loaded = new Map<string, Promise<Buffer>>();

/** What the dashboard's routes need of the status server. */
export interface DashboardSources {
  readonly snapshot: () => PublishedSnapshot;
  readonly history: () => MonitorHistory;
  /** True when the request may read status; else the 401 is sent and it returns false. */
  readonly admitted: () => boolean;
}

/** Whether `path` is one of the dashboard's. */
export function isDashboardPath(path: string): boolean {
  return path === dataPath || Object.hasOwn(assets, path);
}

/**
 * Serves the dashboard: its page and files (open to all: they hold no data) and `GET /dashboard/data`,
 * the published servers with their last rounds, behind the same token as `/status` (the page sends the
 * token given in its URL's fragment, `#token=…`, which browsers never send to the server).
 */
export function serveDashboard(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  sources: DashboardSources,
): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    end(response, 405, 'method not allowed\n');
    return;
  }
  response.setHeader('Cache-Control', 'no-cache');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  if (path === dataPath) {
    if (!sources.admitted()) return;
    const { snapshot } = sources.snapshot();
    const { intervalMs, servers: history } = sources.history();
    const data = { generatedAt: snapshot.generatedAt, intervalMs, servers: snapshot.servers, history };
    sendJson(request, response, Buffer.from(JSON.stringify(data)));
    return;
  }
  const asset = assets[path] as (typeof assets)[string];
  load(asset.file).then(
    (body) => {
      response.writeHead(200, {
        'Content-Type': asset.type,
        'Content-Length': body.length,
        'Content-Security-Policy': contentSecurityPolicy,
        'Referrer-Policy': 'no-referrer',
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    },
    () => end(response, 500, 'dashboard file missing\n'),
  );
}

/** Reads a dashboard file once; a failed read is tried again on the next request. */
function load(file: string): Promise<Buffer> {
  let body = loaded.get(file);
  if (body === undefined) {
    body = readFile(new URL(`./dashboard/${file}`, import.meta.url));
    loaded.set(file, body);
    body.catch(() => loaded.delete(file));
  }
  return body;
}
