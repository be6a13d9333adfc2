import type { LiveEvents } from '../../ports';

/**
 * Live event streams on Durable Objects: one object per stream key (an organization's events,
 * a widget conversation's), see event-stream-object.ts. Notifying is one request to the object;
 * a client's SSE response is the object's own, passed through by the Worker.
 */
export function createDurableLiveEvents(namespace: DurableObjectNamespace): LiveEvents {
  const objectFor = (key: string) => namespace.get(namespace.idFromName(key));
  return {
    async notify(key, entry) {
      const res = await objectFor(key).fetch('https://event-stream/notify', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'x-stream-key': key },
        body: JSON.stringify(entry),
      });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`the event stream object answered ${res.status}`);
    },
    async forget(key, ids) {
      const res = await objectFor(key).fetch('https://event-stream/forget', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'x-stream-key': key },
        body: JSON.stringify({ ids }),
      });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`the event stream object answered ${res.status}`);
    },
    async open(request) {
      const headers: Record<string, string> = {
        'x-stream-key': request.key,
        'x-stream-view': request.view,
        'x-max-duration-ms': String(request.maxDurationMs),
      };
      if (request.lastEventId) headers['last-event-id'] = request.lastEventId;
      return objectFor(request.key).fetch('https://event-stream/open', { headers });
    },
  };
}
