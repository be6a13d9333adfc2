import { StreamHub } from '../../core/events/hub';
import { STREAM_VIEWS } from '../../core/events/views';
import type { KV, LiveEvents } from '../../ports';

/**
 * Live event streams in one process: a hub per stream key while it has clients, reading the
 * in-process log (the memory KV's streams) for replays. Publishing pushes to the hub directly.
 */
export function createInProcessLiveEvents(kv: KV): LiveEvents & { close(): void } {
  const hubs = new Map<string, StreamHub>();
  const hubFor = (key: string) => {
    let hub = hubs.get(key);
    if (!hub) {
      const created = new StreamHub(
        { read: (after, count) => kv.streamRead(key, after, count), lastId: () => kv.streamLastId(key) },
        { onEmpty: () => hubs.get(key) === created && hubs.delete(key) },
      );
      hubs.set(key, created);
      hub = created;
    }
    return hub;
  };
  return {
    async notify(key, entry) {
      // No hub means no client: the entry is in the log for whoever connects later.
      hubs.get(key)?.publish(entry);
    },
    async open(request) {
      return hubFor(request.key).open({ lastEventId: request.lastEventId, project: STREAM_VIEWS[request.view], maxDurationMs: request.maxDurationMs });
    },
    async forget(key, ids) {
      hubs.get(key)?.forget(ids);
    },
    close() {
      for (const hub of [...hubs.values()]) hub.closeAll();
      hubs.clear();
    },
  };
}
