import { afterEach, describe, expect, it, vi } from 'vitest';
import { eraseFromEventStreams } from '../../core/events/erase';
import { conversationStreamKey, orgStreamKey } from '../../core/events/publish';
import { EventStreamObject } from './event-stream-object';
import { createUpstashKv } from './kv';
import { createDurableLiveEvents } from './live-events';

/**
 * Erasing a contact from the edge's event log: the Upstash REST pipeline (`XADD`, `XRANGE`,
 * `XDEL` as Redis answers them, held in memory here) and the Durable Object hub in front of it,
 * which must not replay an erased entry from its memory to a reconnecting dashboard.
 */
const UPSTASH = 'https://upstash.test';

function fakeUpstash() {
  const streams = new Map<string, Array<[string, string[]]>>();
  let seq = 0;
  const commands: string[] = [];
  const reply = (command: Array<string | number>): unknown => {
    const [name, key] = [String(command[0]).toUpperCase(), String(command[1])];
    commands.push(name);
    const stream = streams.get(key) ?? [];
    if (name === 'XADD') {
      const id = `1700000000000-${seq++}`;
      stream.push([id, command.slice(-2).map(String)]);
      streams.set(key, stream);
      return id;
    }
    if (name === 'EXPIRE') return 1;
    if (name === 'XRANGE') {
      const after = String(command[2]).replace(/^\(/, '');
      const [ms, sq] = after.split('-').map(Number);
      const count = Number(command[command.indexOf('COUNT') + 1]);
      return stream.filter(([id]) => {
        const [a, b] = id.split('-').map(Number);
        return a > ms || (a === ms && b > (sq ?? 0));
      }).slice(0, count);
    }
    if (name === 'XREVRANGE') return stream.slice(-1);
    if (name === 'XDEL') {
      const ids = new Set(command.slice(2).map(String));
      const kept = stream.filter(([id]) => !ids.has(id));
      streams.set(key, kept);
      return stream.length - kept.length;
    }
    throw new Error(`unexpected command ${name}`);
  };
  const fetchStub = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    if (!url.startsWith(UPSTASH)) throw new Error(`unexpected fetch ${url}`);
    const batch = JSON.parse(String(init?.body)) as Array<Array<string | number>>;
    return new Response(JSON.stringify(batch.map((command) => ({ result: reply(command) }))), { status: 200 });
  });
  return { streams, commands, fetchStub };
}

/** A namespace handing out one EventStreamObject per name, as the EVENT_STREAMS binding does. */
function fakeNamespace() {
  const objects = new Map<string, EventStreamObject>();
  const env = { UPSTASH_REDIS_REST_URL: UPSTASH, UPSTASH_REDIS_REST_TOKEN: 'token' };
  return {
    idFromName: (name: string) => name,
    get: (name: string) => {
      let object = objects.get(name);
      if (!object) objects.set(name, (object = new EventStreamObject({} as DurableObjectState, env)));
      return { fetch: (url: string, init?: RequestInit) => object!.fetch(new Request(url, init)) };
    },
  } as unknown as DurableObjectNamespace;
}

async function readReplay(res: Response, wanted: number) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while ((text.match(/^id: /gm) ?? []).length < wanted + 1) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  await reader.cancel();
  return text;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('contact erasure on the edge event log', () => {
  it('XDELs the entries naming the contact\u2019s conversations, in the org and widget streams, and the Durable Object stops replaying them', async () => {
    const upstash = fakeUpstash();
    vi.stubGlobal('fetch', upstash.fetchStub);
    const kv = createUpstashKv({ url: UPSTASH, token: 'token' });
    const live = createDurableLiveEvents(fakeNamespace());
    const org = 'org-1';
    const [erased, kept] = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
    const event = (conversationId: string, content: string) =>
      JSON.stringify({ id: `evt_${content}`, type: 'message.created', organizationId: org, createdAt: '2026-01-01T00:00:00Z', data: { conversationId, message: { content } } });

    // A dashboard is connected, so the object keeps what follows in memory to serve reconnects.
    await readReplay(await live.open({ key: orgStreamKey(org), view: 'organization', maxDurationMs: 5_000 }), 0);
    for (const [conversation, content] of [[erased, 'soy marta@example.com'], [kept, 'otra persona'], [erased, 'mi teléfono 612345678']] as const) {
      for (const key of [orgStreamKey(org), conversationStreamKey(conversation)]) {
        const id = await kv.streamAppend(key, event(conversation, content), { maxLen: 2000, ttlSeconds: 60 });
        await live.notify(key, { id, data: event(conversation, content) });
      }
    }

    const count = await eraseFromEventStreams({ kv, live }, org, { contactId: 'contact-1', conversationIds: [erased] });
    expect(count).toBe(4);
    expect(upstash.commands).toContain('XDEL');

    const orgLog = await kv.streamRead(orgStreamKey(org), '0-0', 100);
    expect(orgLog.map((entry) => JSON.parse(entry.data).data.message.content)).toEqual(['otra persona']);
    expect(await kv.streamRead(conversationStreamKey(erased), '0-0', 100)).toEqual([]);

    // A dashboard reconnecting from the start is served by the object's memory: the erased entries are not in it.
    const replay = await readReplay(await live.open({ key: orgStreamKey(org), view: 'organization', lastEventId: '0-0', maxDurationMs: 5_000 }), 1);
    expect(replay).toContain('otra persona');
    expect(replay).not.toContain('marta');
    expect(replay).not.toContain('612345678');
  });
});
