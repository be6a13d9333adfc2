import { describe, expect, it } from 'vitest';
import { createMemoryKV } from '../../adapters/local/kv';
import { StreamHub, type StreamLog } from './hub';
import { STREAM_VIEWS } from './views';
import type { OrgEvent } from './types';

/** A hub over an in-memory log that counts its reads, and a publisher that appends then notifies. */
function setup(options: { keep?: number; maxBufferedBytes?: number } = {}) {
  const kv = createMemoryKV();
  const key = `events:org:${crypto.randomUUID()}`;
  const reads = { read: 0, lastId: 0 };
  const log: StreamLog = {
    read: (after, count) => {
      reads.read += 1;
      return kv.streamRead(key, after, count);
    },
    lastId: () => {
      reads.lastId += 1;
      return kv.streamLastId(key);
    },
  };
  const hub = new StreamHub(log, { keep: options.keep, maxBufferedBytes: options.maxBufferedBytes });
  const append = async (type: OrgEvent['type'], data: Record<string, unknown>) => {
    const event: OrgEvent = { id: `evt_${crypto.randomUUID()}`, type, organizationId: 'o', createdAt: new Date().toISOString(), data };
    const json = JSON.stringify(event);
    return { id: await kv.streamAppend(key, json, { maxLen: 100, ttlSeconds: 60 }), data: json };
  };
  const publish = async (type: OrgEvent['type'], data: Record<string, unknown>) => {
    const entry = await append(type, data);
    hub.publish(entry);
    return entry;
  };
  const open = (lastEventId?: string) => client(hub.open({ lastEventId, project: STREAM_VIEWS.organization, maxDurationMs: 60_000 }));
  return { hub, reads, append, publish, open };
}

/**
 * Reads an SSE response as text, event by event. Wait for quoted values (`'"d1"'`): a bare `d1`
 * can turn up inside an event's random hex id before the awaited event arrives.
 */
function client(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const state = { text: '' };
  return {
    res,
    get text() {
      return state.text;
    },
    async until(needle: string) {
      while (!state.text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`ended before ${needle}: ${state.text}`);
        state.text += value;
      }
    },
    ids: () => [...state.text.matchAll(/^id: (\S+)$/gm)].map((m) => m[1]!),
    events: () => [...state.text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]!),
    close: () => reader.cancel(),
  };
}

describe('StreamHub', () => {
  it('pushes a published entry to every connected client without reading the log again', async () => {
    const { hub, reads, publish, open } = setup();
    const a = open();
    const b = open();
    await a.until('event: ready');
    await b.until('event: ready');
    const readsAfterConnect = { ...reads };
    expect(a.res.headers.get('content-type')).toContain('text/event-stream');

    const entry = await publish('document.ready', { documentId: 'd1' });
    await a.until('"d1"');
    await b.until('"d1"');
    expect(a.ids().at(-1)).toBe(entry.id);
    expect(b.events()).toEqual(['ready', 'document.ready']);
    expect(reads).toEqual(readsAfterConnect);
    // A fresh hub asks the log where it stands once, not once per client.
    expect(reads.lastId).toBe(1);
    expect(hub.clientCount).toBe(2);
    await a.close();
    await b.close();
    expect(hub.clientCount).toBe(0);
  });

  it('a reconnect with Last-Event-ID gets what it missed from memory, each entry once and in order', async () => {
    const { reads, publish, open } = setup();
    const first = open();
    await first.until('event: ready');
    const seen = await publish('document.ready', { documentId: 'd1' });
    await first.until('"d1"');
    await first.close();

    const missed = [await publish('document.ready', { documentId: 'd2' }), await publish('document.failed', { documentId: 'd3' })];
    const readsBefore = reads.read;
    const again = open(seen.id);
    await again.until('"d3"');
    expect(again.ids()).toEqual([seen.id, ...missed.map((m) => m.id)]);
    expect(again.events()).toEqual(['ready', 'document.ready', 'document.failed']);
    expect(reads.read).toBe(readsBefore);
    await again.close();
  });

  it('reads the log for a gap older than what it remembers, then continues live', async () => {
    const { reads, append, publish, open } = setup({ keep: 2 });
    // Appended before this hub existed (another isolate, before a restart): only the log has it.
    const old = await append('document.ready', { documentId: 'old' });
    const watcher = open();
    await watcher.until('event: ready');
    for (const id of ['n1', 'n2', 'n3']) await publish('document.ready', { documentId: id });
    await watcher.until('n3');

    const late = open('0-0');
    await late.until('n3');
    expect(reads.read).toBe(1);
    expect(late.text).toContain('"old"');
    expect(late.ids().slice(1, 2)).toEqual([old.id]);
    const next = await publish('document.failed', { documentId: 'n4' });
    await late.until('n4');
    expect(late.ids().at(-1)).toBe(next.id);
    expect(late.ids().filter((id) => id === next.id)).toHaveLength(1);
    await late.close();
    await watcher.close();
  });

  it('skips what a view does not show, and ends a response after its maximum duration', async () => {
    const { publish, hub } = setup();
    const visitor = client(hub.open({ project: STREAM_VIEWS.visitor, maxDurationMs: 50 }));
    await visitor.until('event: ready');
    await publish('document.ready', { documentId: 'hidden' });
    await visitor.until('__never__').catch((error: Error) => expect(error.message).toContain('ended before'));
    expect(visitor.text).not.toContain('hidden');
    expect(hub.clientCount).toBe(0);
  });

  it('drops a client that stops reading instead of buffering for it without end', async () => {
    const { hub, publish, open } = setup({ maxBufferedBytes: 2000 });
    const reader = open();
    const idle = open();
    await reader.until('event: ready');
    await idle.until('event: ready');
    for (let i = 0; i < 20; i++) {
      await publish('document.ready', { documentId: `d${i}`, padding: 'x'.repeat(200) });
      await reader.until(`"d${i}"`);
    }
    // `idle` never read past `ready`: it was dropped; `reader` kept up and is still there.
    expect(hub.clientCount).toBe(1);
    await reader.close();
  });
});
