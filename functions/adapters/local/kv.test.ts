import { describe, expect, it } from 'vitest';
import { createMemoryKV } from './kv';

function clock(start: number) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('createMemoryKV', () => {
  it('stores JSON copies and expires keys after their TTL', async () => {
    const c = clock(1_000_000);
    const kv = createMemoryKV({ now: c.now });
    const value = { a: 1, nested: [1, 2] };
    await kv.set('k', value, { ttlSeconds: 10 });
    await kv.set('forever', 'x');
    value.a = 2;
    expect(await kv.get('k')).toEqual({ a: 1, nested: [1, 2] });
    c.advance(9_999);
    expect(await kv.get('k')).not.toBeNull();
    c.advance(1);
    expect(await kv.get('k')).toBeNull();
    expect(await kv.get('forever')).toBe('x');
    await kv.del('forever');
    expect(await kv.get('forever')).toBeNull();
    await expect(kv.ping()).resolves.toBeUndefined();
  });

  it('getMany reads several keys in order, null for missing or expired ones', async () => {
    const c = clock(1_000_000);
    const kv = createMemoryKV({ now: c.now });
    await kv.set('a', '123');
    await kv.set('b', { n: 1 }, { ttlSeconds: 1 });
    expect(await kv.getMany(['a', 'missing', 'b'])).toEqual(['123', null, { n: 1 }]);
    c.advance(1000);
    expect(await kv.getMany(['b', 'a'])).toEqual([null, '123']);
  });

  it('allows `limit` hits per window and reports remaining and reset', async () => {
    const c = clock(60_000 * 1000); // start of a 60 s window
    const kv = createMemoryKV({ now: c.now });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await kv.rateLimit('ip:1', 3, 60));
    expect(results.map((r) => [r.success, r.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(results[0].limit).toBe(3);
    expect(results[0].reset).toBe(60_000 * 1001);
    expect((await kv.rateLimit('ip:2', 3, 60)).success).toBe(true);
  });

  it('rateLimitAll hits every limit in order, as separate rateLimit calls would', async () => {
    const c = clock(60_000 * 1000);
    const kv = createMemoryKV({ now: c.now });
    const checks = [
      { key: 'session', limit: 2, windowSeconds: 60 },
      { key: 'ip', limit: 1, windowSeconds: 60 },
    ];
    expect((await kv.rateLimitAll(checks)).map((r) => [r.success, r.remaining])).toEqual([
      [true, 1],
      [true, 0],
    ]);
    // The IP limit refuses, and the session limit is hit all the same.
    expect((await kv.rateLimitAll(checks)).map((r) => [r.success, r.remaining])).toEqual([
      [true, 0],
      [false, 0],
    ]);
    expect((await kv.rateLimit('session', 2, 60)).success).toBe(false);
    expect(await kv.rateLimitAll([])).toEqual([]);
  });

  it('slides: the previous window weighs by how much of it still overlaps', async () => {
    const c = clock(60_000 * 1000);
    const kv = createMemoryKV({ now: c.now });
    for (let i = 0; i < 4; i++) await kv.rateLimit('u', 4, 60);
    c.advance(60_000 + 15_000); // 25% into the next window: 75% of 4 = 3 still count
    const first = await kv.rateLimit('u', 4, 60);
    expect([first.success, first.remaining]).toEqual([true, 0]);
    expect((await kv.rateLimit('u', 4, 60)).success).toBe(false);
    c.advance(30_000); // 75% in: 25% of 4 = 1 counts, plus 1 in this window
    const later = await kv.rateLimit('u', 4, 60);
    expect([later.success, later.remaining]).toEqual([true, 1]);
  });

  it('keeps event streams: increasing ids, reads after an id, trimmed to maxLen, expired after the TTL', async () => {
    const c = clock(5_000_000);
    const kv = createMemoryKV({ now: c.now });
    expect(await kv.streamLastId('s')).toBe('0-0');
    const a = await kv.streamAppend('s', 'a', { maxLen: 3, ttlSeconds: 10 });
    const b = await kv.streamAppend('s', 'b', { maxLen: 3, ttlSeconds: 10 });
    expect([a, b]).toEqual(['5000000-0', '5000000-1']);
    c.advance(1);
    const d = await kv.streamAppend('s', 'c', { maxLen: 3, ttlSeconds: 10 });
    expect(d).toBe('5000001-0');
    expect((await kv.streamRead('s', a, 10)).map((e) => e.data)).toEqual(['b', 'c']);
    await kv.streamAppend('s', 'd', { maxLen: 3, ttlSeconds: 10 });
    expect((await kv.streamRead('s', '0-0', 10)).map((e) => e.data)).toEqual(['b', 'c', 'd']);
    expect((await kv.streamRead('s', '0-0', 2)).map((e) => e.data)).toEqual(['b', 'c']);
    c.advance(10_001);
    expect(await kv.streamRead('s', '0-0', 10)).toEqual([]);
    expect(await kv.streamLastId('s')).toBe('0-0');
  });
});
