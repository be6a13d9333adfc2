import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AppEnv } from '../../lib/env';
import type { KV, StreamEntry } from '../../ports';
import type { OrgEvent } from './types';
import { STREAM_VIEWS, type StreamView } from './views';

/**
 * Marks a streamed response whose body uses no per-request service (the database above all): the
 * edge (the only runtime that sets it) closes the request's Neon pool once the headers are out, not when a long stream ends, so an
 * open dashboard does not hold a Postgres connection. Stripped before the response leaves.
 */
export const SERVICES_DONE_HEADER = 'x-versaai-services-done';

/**
 * Serves a live stream to one client: pushed by `services.live` (a Durable Object at the edge, the
 * in-process hub locally); polled from the log when a deployment has no push (no binding).
 * Headers the route set before (the widget's CORS) are kept.
 */
export async function serveLiveStream(c: Context<AppEnv>, stream: { key: string; view: StreamView; lastEventId?: string | null }) {
  const { kv, live, config } = c.get('services');
  if (config.runtime === 'edge') c.header(SERVICES_DONE_HEADER, '1');
  if (!live) {
    return serveEventStream<unknown>(c, kv, {
      key: stream.key,
      lastEventId: stream.lastEventId,
      project: STREAM_VIEWS[stream.view],
      pollMs: config.EVENTS_POLL_MS,
      maxDurationMs: config.EVENTS_STREAM_SECONDS * 1000,
    });
  }
  const res = await live.open({ ...stream, maxDurationMs: config.EVENTS_PUSH_STREAM_SECONDS * 1000 });
  if (!res.ok || !res.body) throw new Error(`the live stream answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return c.body(res.body, 200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no',
  });
}

/**
 * Serves an event stream as Server-Sent Events, resumable: each event's `id` is its stream entry
 * id, and a client reconnecting with `Last-Event-ID` gets everything after it that the stream
 * still holds. Redis streams over REST cannot block, so new entries are polled (the fallback of
 * `serveLiveStream` where there is no push); the response ends
 * after `maxDurationMs` and the client reconnects (EventSource and our clients do so by themselves),
 * which keeps edge invocations bounded.
 */
export interface SseOptions<T> {
  key: string;
  lastEventId?: string | null;
  /** Maps a stored event to what this client sees: `null` skips it. */
  project(event: OrgEvent): { event: string; data: T } | null;
  pollMs: number;
  maxDurationMs: number;
  heartbeatMs?: number;
}

const BATCH = 100;

export function serveEventStream<T>(c: Context, kv: KV, options: SseOptions<T>) {
  c.header('Cache-Control', 'no-store');
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(c, async (stream) => {
    let open = true;
    stream.onAbort(() => {
      open = false;
    });
    const started = Date.now();
    const heartbeatMs = options.heartbeatMs ?? 15_000;
    let lastWrite = Date.now();
    let after = validId(options.lastEventId) ?? (await kv.streamLastId(options.key));
    // Tells the client where it stands even when nothing happens, so a reconnect resumes exactly.
    await stream.writeSSE({ event: 'ready', id: after, data: JSON.stringify({ lastEventId: after }), retry: 2000 });
    while (open && Date.now() - started < options.maxDurationMs) {
      let entries: StreamEntry[] = [];
      try {
        entries = await kv.streamRead(options.key, after, BATCH);
      } catch (error) {
        console.error(JSON.stringify({ level: 'error', message: 'event stream read failed', error: (error as Error).message }));
      }
      for (const entry of entries) {
        after = entry.id;
        const projected = projectEntry(entry, options.project);
        if (!projected) continue;
        await stream.writeSSE({ id: entry.id, event: projected.event, data: JSON.stringify(projected.data) });
        lastWrite = Date.now();
      }
      if (entries.length === BATCH) continue;
      if (Date.now() - lastWrite >= heartbeatMs) {
        await stream.write(': keep-alive\n\n');
        lastWrite = Date.now();
      }
      await stream.sleep(options.pollMs);
    }
  });
}

function projectEntry<T>(entry: StreamEntry, project: SseOptions<T>['project']) {
  try {
    return project(JSON.parse(entry.data) as OrgEvent);
  } catch {
    return null;
  }
}

function validId(id: string | null | undefined) {
  return id && /^\d+-\d+$/.test(id.trim()) ? id.trim() : null;
}
