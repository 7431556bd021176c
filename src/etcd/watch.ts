import { type EtcdGateway, EtcdRequestError } from './gateway.js';
import { JsonLines } from './json-lines.js';
import { prefixRangeEnd, toBase64 } from './keys.js';
import { decodeKeyValue, type KeyValue } from './kv.js';

/** One change under the watched prefix. */
export interface KeyEvent {
  readonly type: 'put' | 'delete';
  readonly kv: KeyValue;
}

/** One watch answer can carry many events (after a reconnect, all that were missed): bounded, but generously. */
const maxMessageBytes = 64 * 1024 * 1024;

/**
 * Watches every key under `prefix` from `fromRevision` on, on the gateway's current member, and hands
 * each answer's events to `onEvents` with the revision they bring the watcher to. Returns when the
 * revision to start from was compacted away (with the compaction's revision: the caller re-ranges);
 * throws when the stream fails or ends otherwise (member gone, leader lost, `signal` aborted).
 * @throws {EtcdRequestError}
 */
export async function watchPrefix(
  gateway: EtcdGateway,
  prefix: string,
  fromRevision: number,
  signal: AbortSignal,
  onEvents: (events: readonly KeyEvent[], revision: number) => void,
): Promise<{ readonly compactedAt: number }> {
  const stream = await gateway.stream(
    '/v3/watch',
    {
      create_request: {
        key: toBase64(prefix),
        range_end: prefixRangeEnd(prefix),
        start_revision: String(fromRevision),
      },
    },
    signal,
  );
  const lines = new JsonLines(maxMessageBytes);
  try {
    return await new Promise<{ readonly compactedAt: number }>((resolveOnce, rejectOnce) => {
      // Chunks may still come between the outcome and the stream's destruction: they count no more.
      let settled = false;
      const resolve = (value: { readonly compactedAt: number }) => {
        settled = true;
        resolveOnce(value);
      };
      const reject = (error: unknown) => {
        settled = true;
        rejectOnce(error);
      };
      stream.on('data', (chunk: Buffer) => {
        if (settled) return;
        try {
          for (const message of lines.push(chunk)) {
            const result = resultOf(message);
            if (result.canceled === true) {
              const compactedAt = Number(result.compact_revision ?? 0);
              if (compactedAt > 0) resolve({ compactedAt });
              else
                reject(
                  new EtcdRequestError(
                    `etcd cancelled the watch: ${String(result.cancel_reason ?? 'no reason')}`,
                    true,
                  ),
                );
              return;
            }
            const events = Array.isArray(result.events) ? result.events.flatMap(keyEvent) : [];
            const last = events.at(-1)?.kv.modRevision ?? 0;
            if (events.length > 0) onEvents(events, Math.max(last, fromRevision));
          }
        } catch (error: unknown) {
          reject(error);
        }
      });
      stream.once('error', reject);
      stream.once('close', () => reject(new EtcdRequestError(`${gateway.endpoint} ended the watch`, true)));
    });
  } catch (error: unknown) {
    if (error instanceof EtcdRequestError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new EtcdRequestError(`the watch on ${gateway.endpoint} failed: ${reason}`, true, undefined, {
      cause: error,
    });
  } finally {
    stream.destroy();
  }
}

function resultOf(message: unknown): Record<string, unknown> {
  const body = (typeof message === 'object' && message !== null ? message : {}) as Record<string, unknown>;
  if (typeof body.result === 'object' && body.result !== null) return body.result as Record<string, unknown>;
  const error = body.error as { message?: unknown } | undefined;
  throw new EtcdRequestError(`the watch failed: ${String(error?.message ?? 'unexpected message')}`, true);
}

function keyEvent(value: unknown): KeyEvent[] {
  const event = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const kv = decodeKeyValue(event.kv);
  if (kv === undefined) return [];
  return [{ type: event.type === 'DELETE' ? 'delete' : 'put', kv }];
}
