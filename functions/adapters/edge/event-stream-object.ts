import { StreamHub } from '../../core/events/hub';
import { isStreamView, STREAM_VIEWS } from '../../core/events/views';
import { createUpstashKv } from './kv';

/**
 * The Durable Object behind one live event stream (an organization's, or a widget
 * conversation's: named by the stream key). It holds the stream's SSE clients and pushes each
 * entry it is notified of to all of them, so an idle client costs no Upstash command; the Redis
 * stream stays the durable log, read only to replay what a (re)connecting client missed beyond
 * the entries this object remembers. Reached only through the EVENT_STREAMS binding
 * (adapters/edge/live-events.ts):
 *   POST /notify  {id, data}   an entry just appended to the log
 *   POST /forget  {ids}      entries erased from the log (a contact's erasure): never replayed again
 *   GET  /open    an SSE response (headers: x-stream-key, x-stream-view, last-event-id, x-max-duration-ms)
 * State is in memory: a fresh object (after eviction) reads the log once to know where it stands.
 */
export class EventStreamObject {
  private hub?: StreamHub;

  constructor(
    _state: DurableObjectState,
    private readonly env: Record<string, unknown>,
  ) {}

  async fetch(request: Request): Promise<Response> {
    const key = request.headers.get('x-stream-key');
    if (!key) return new Response('x-stream-key is required', { status: 400 });
    const hub = this.hubFor(key);
    const path = new URL(request.url).pathname;
    if (request.method === 'POST' && path === '/notify') {
      const entry = (await request.json()) as { id?: unknown; data?: unknown };
      if (typeof entry.id !== 'string' || typeof entry.data !== 'string') return new Response('{id, data} strings are required', { status: 400 });
      hub.publish({ id: entry.id, data: entry.data });
      return new Response(null, { status: 204 });
    }
    if (request.method === 'POST' && path === '/forget') {
      const body = (await request.json()) as { ids?: unknown };
      if (!Array.isArray(body.ids) || !body.ids.every((id) => typeof id === 'string')) return new Response('{ids} strings are required', { status: 400 });
      hub.forget(body.ids as string[]);
      return new Response(null, { status: 204 });
    }
    if (request.method === 'GET' && path === '/open') {
      const view = request.headers.get('x-stream-view');
      if (!isStreamView(view)) return new Response('unknown x-stream-view', { status: 400 });
      const maxDurationMs = Number(request.headers.get('x-max-duration-ms')) || 55_000;
      return hub.open({ lastEventId: request.headers.get('last-event-id'), project: STREAM_VIEWS[view], maxDurationMs });
    }
    return new Response('not found', { status: 404 });
  }

  private hubFor(key: string) {
    if (!this.hub) {
      const kv = createUpstashKv({ url: String(this.env.UPSTASH_REDIS_REST_URL), token: String(this.env.UPSTASH_REDIS_REST_TOKEN) });
      this.hub = new StreamHub({ read: (after, count) => kv.streamRead(key, after, count), lastId: () => kv.streamLastId(key) });
    }
    return this.hub;
  }
}
