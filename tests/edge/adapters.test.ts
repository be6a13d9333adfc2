/**
 * The edge adapters' contracts, called directly (in Node; they use only fetch and Web Crypto, the
 * same code workerd runs) against the same stand-ins the Worker uses: Upstash wire format over
 * real Redis, Pinecone's data plane, QStash, the mail API.
 */
import { describe, expect, inject, test, vi } from 'vitest';
import { createUpstashKv } from '../../functions/adapters/edge/kv';
import { createHttpMailer } from '../../functions/adapters/edge/mail';
import { createQStashQueue } from '../../functions/adapters/edge/queue';
import { createPineconeStore } from '../../functions/adapters/edge/vectors';
import type { Received } from './fakes';

const edge = inject('edge');
const id = () => crypto.randomUUID();

describe('KV on Upstash Redis', () => {
  const kv = createUpstashKv({ url: edge.upstash.url, token: edge.upstash.token });

  test('values round-trip exactly, including strings that look like numbers', async () => {
    const key = `t:${id()}`;
    for (const value of ['123', 'plain', 42, { a: [1, 'x'], b: null }, true]) {
      await kv.set(key, value);
      expect(await kv.get(key)).toEqual(value);
    }
    await kv.del(key);
    expect(await kv.get(key)).toBeNull();
  });

  test('getMany reads several keys in one call, null for missing ones', async () => {
    const [a, b, missing] = [`t:${id()}`, `t:${id()}`, `t:${id()}`];
    await kv.set(a, '123');
    await kv.set(b, { n: 1 });
    expect(await kv.getMany([a, missing, b])).toEqual(['123', null, { n: 1 }]);
    expect(await kv.getMany([])).toEqual([]);
  });

  test('ttl expires a key', async () => {
    const key = `t:${id()}`;
    await kv.set(key, 'soon gone', { ttlSeconds: 1 });
    expect(await kv.get(key)).toBe('soon gone');
    await expect.poll(() => kv.get(key), { timeout: 5000, interval: 200 }).toBeNull();
  });

  test('rateLimit is a sliding window per key', async () => {
    const key = `rl:${id()}`;
    const results = [];
    // Taken before the calls, so the comparison below holds however slowly they run.
    const startedAt = Date.now();
    for (let i = 0; i < 4; i++) results.push(await kv.rateLimit(key, 3, 60));
    expect(results.map((r) => r.success)).toEqual([true, true, true, false]);
    expect(results[0]).toMatchObject({ limit: 3, remaining: 2 });
    expect(results[3]!.remaining).toBe(0);
    expect(results[3]!.reset).toBeGreaterThan(startedAt);
    expect((await kv.rateLimit(`rl:${id()}`, 3, 60)).success).toBe(true);
  });

  test('rateLimitAll hits every limit, results in order, in one round trip', async () => {
    const [a, b] = [`rl:${id()}`, `rl:${id()}`];
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    try {
      const first = await kv.rateLimitAll([{ key: a, limit: 2, windowSeconds: 60 }, { key: b, limit: 1, windowSeconds: 60 }]);
      expect(first.map((r) => [r.success, r.remaining])).toEqual([[true, 1], [true, 0]]);
      expect(fetchSpy).toHaveBeenCalledTimes(1);
      // b refuses, and a is hit all the same.
      const second = await kv.rateLimitAll([{ key: a, limit: 2, windowSeconds: 60 }, { key: b, limit: 1, windowSeconds: 60 }]);
      expect(second.map((r) => [r.success, r.remaining])).toEqual([[true, 0], [false, 0]]);
      expect((await kv.rateLimit(a, 2, 60)).success).toBe(false);
      expect(await kv.rateLimitAll([])).toEqual([]);
    } finally {
      fetchSpy.mockRestore();
    }
  });

  test('calls started together share one round trip, reads and writes alike, each with its own result', async () => {
    const [a, b, c] = [`t:${id()}`, `t:${id()}`, `rl:${id()}`];
    await kv.set(a, { v: 1 });
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    try {
      const [got, , limited, id1, missing] = await Promise.all([
        kv.get(a),
        kv.set(b, 'x', { ttlSeconds: 60 }),
        kv.rateLimit(c, 1, 60),
        kv.streamAppend(`s:${id()}`, 'e', { maxLen: 10, ttlSeconds: 60 }),
        kv.get(`t:${id()}`),
      ]);
      expect(fetchSpy).toHaveBeenCalledTimes(1);
      expect(got).toEqual({ v: 1 });
      expect(limited.success).toBe(true);
      expect(id1).toMatch(/^\d+-\d+$/);
      expect(missing).toBeNull();
    } finally {
      fetchSpy.mockRestore();
    }
    expect(await kv.get(b)).toBe('x');
  });

  test('a failing command fails only its own call', async () => {
    const key = `t:${id()}`;
    await kv.set(key, 'text');
    // XADD on a string key is a WRONGTYPE error in the same pipeline as a good read.
    const [bad, good] = await Promise.allSettled([kv.streamAppend(key, 'e', { maxLen: 10, ttlSeconds: 60 }), kv.get(key)]);
    expect(bad.status).toBe('rejected');
    expect(good).toEqual({ status: 'fulfilled', value: 'text' });
  });

  test('event streams: ordered ids, reads strictly after an id, trimmed, expiring', async () => {
    const key = `events:${id()}`;
    expect(await kv.streamLastId(key)).toBe('0-0');
    expect(await kv.streamRead(key, '0-0', 10)).toEqual([]);
    const ids = [];
    for (const n of [1, 2, 3]) ids.push(await kv.streamAppend(key, JSON.stringify({ n }), { maxLen: 100, ttlSeconds: 60 }));
    expect([...ids].sort()).toEqual(ids);
    expect(await kv.streamLastId(key)).toBe(ids[2]);
    const all = await kv.streamRead(key, '0-0', 10);
    expect(all.map((e) => JSON.parse(e.data).n)).toEqual([1, 2, 3]);
    expect(all.map((e) => e.id)).toEqual(ids);
    expect((await kv.streamRead(key, ids[0]!, 10)).map((e) => e.id)).toEqual(ids.slice(1));
    expect(await kv.streamRead(key, ids[0]!, 1)).toHaveLength(1);
    // A garbage Last-Event-ID reads from the start instead of failing.
    expect(await kv.streamRead(key, 'garbage', 10)).toHaveLength(3);
    const ttl = await fetch(edge.upstash.url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${edge.upstash.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(['TTL', key]),
    }).then((r) => r.json() as Promise<{ result: number }>);
    expect(ttl.result).toBeGreaterThan(50);
  });

  test('ping', async () => {
    await expect(kv.ping()).resolves.toBeUndefined();
  });

  test('a wrong token fails loudly instead of allowing', async () => {
    const bad = createUpstashKv({ url: edge.upstash.url, token: 'wrong' });
    await expect(bad.rateLimit(`rl:${id()}`, 3, 60)).rejects.toThrow();
  });
});

describe('vectors on Pinecone', () => {
  const vectors = createPineconeStore({ apiKey: edge.keys.pinecone, indexHost: edge.pineconeUrl });

  test('upsert, query by namespace, delete ids, delete the namespace', async () => {
    const kb = `kb_${id()}`;
    const other = `kb_${id()}`;
    await vectors.upsert(kb, [
      { id: 'a', values: [1, 0, 0], metadata: { documentId: 'd1' } },
      { id: 'b', values: [0, 1, 0], metadata: { documentId: 'd2' } },
    ]);
    await vectors.upsert(other, [{ id: 'x', values: [1, 0, 0] }]);
    const matches = await vectors.query(kb, [0.9, 0.1, 0], 2);
    expect(matches.map((m) => m.id)).toEqual(['a', 'b']);
    expect(matches[0]!.metadata).toEqual({ documentId: 'd1' });
    await vectors.deleteIds(kb, ['a']);
    expect((await vectors.query(kb, [1, 0, 0], 5)).map((m) => m.id)).toEqual(['b']);
    await vectors.deleteNamespace(kb);
    await vectors.deleteNamespace(kb); // idempotent
    expect(await vectors.query(kb, [1, 0, 0], 5)).toEqual([]);
    expect((await vectors.query(other, [1, 0, 0], 5)).map((m) => m.id)).toEqual(['x']);
    await vectors.ping();
  });
});

describe('queue on QStash', () => {
  test('publishes to the job route with retries, delay and deduplication id', async () => {
    const queue = createQStashQueue({ token: edge.keys.qstash, baseUrl: edge.qstashUrl, appUrl: 'http://127.0.0.1:9/' });
    const dedup = `t-${id()}`;
    const { messageId } = await queue.enqueue('purge-expired', { n: 1 }, { retries: 0, delaySeconds: 3600, deduplicationId: dedup });
    expect(messageId).toMatch(/^msg_/);
    const all = (await (await fetch(`${edge.qstashUrl}/__received`)).json()) as Received[];
    const sent = all.find((m) => m.headers['upstash-deduplication-id'] === dedup)!;
    expect(sent.path).toBe('/v2/publish/http://127.0.0.1:9/api/jobs/purge-expired');
    expect(sent.headers['upstash-retries']).toBe('0');
    expect(sent.headers['upstash-delay']).toBe('3600s');
    expect(sent.body).toEqual({ n: 1 });
    await queue.ping();
    await expect(queue.enqueue('../etc', {})).rejects.toThrow(/Invalid job name/);
  });
});

describe('mail API', () => {
  test('sends Resend-shaped JSON with the bearer key, and throws with the status on failure', async () => {
    const to = `mail-${id()}@example.com`;
    await createHttpMailer({ apiUrl: edge.mailUrl, apiKey: edge.keys.mail, from: 'VersaAI <a@b.test>' }).send({ to, subject: 'Hi', text: 'Hello', html: '<p>Hello</p>' });
    const all = (await (await fetch(`${edge.mailUrl}/__received`)).json()) as Received[];
    expect(all.find((m) => (m.body as { to?: string }).to === to)?.body).toEqual({ from: 'VersaAI <a@b.test>', to, subject: 'Hi', text: 'Hello', html: '<p>Hello</p>' });
    await expect(createHttpMailer({ apiUrl: edge.mailUrl, apiKey: 'wrong', from: 'x@y.test' }).send({ to, subject: 'Hi', text: 'x' })).rejects.toThrow(/401/);
  });
});

describe('edge config', () => {
  test('missing secrets fail loudly, each by name', async () => {
    const { parseEdgeConfig } = await import('../../functions/adapters/edge/services');
    let message = '';
    try {
      parseEdgeConfig({ BLOBS: {} as R2Bucket, APP_URL: 'https://app.example.com', UPSTASH_REDIS_REST_TOKEN: '' });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const name of ['JWT_SECRET', 'ENCRYPTION_KEY', 'QSTASH_CURRENT_SIGNING_KEY', 'QSTASH_NEXT_SIGNING_KEY', 'DATABASE_URL', 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN', 'QSTASH_TOKEN', 'PINECONE_API_KEY', 'PINECONE_INDEX_HOST', 'MAIL_API_KEY']) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain('QSTASH_URL:');
    expect(message).not.toContain('MAIL_API_URL:');
  });
});
