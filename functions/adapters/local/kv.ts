import type { KV, RateLimitResult, StreamEntry } from '../../ports';

interface Entry {
  /** JSON text, so callers get a fresh copy like they would from Redis. */
  json: string;
  expiresAt: number | null;
}

/** In-process KV with the semantics of the Upstash adapter (JSON values, TTLs, sliding window). */
export function createMemoryKV(options: { now?: () => number } = {}): KV & { clear(): void } {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const counters = new Map<string, { count: number; expiresAt: number }>();
  const streams = new Map<string, { entries: StreamEntry[]; lastMs: number; lastSeq: number; expiresAt: number }>();
  let lastSweep = now();

  // Keys nobody reads again would otherwise live forever in a long-running dev server.
  const sweep = () => {
    const at = now();
    if (at - lastSweep < 60_000) return;
    lastSweep = at;
    for (const [key, e] of entries) if (e.expiresAt !== null && e.expiresAt <= at) entries.delete(key);
    for (const [key, c] of counters) if (c.expiresAt <= at) counters.delete(key);
    for (const [key, s] of streams) if (s.expiresAt <= at) streams.delete(key);
  };

  const liveStream = (key: string) => {
    const stream = streams.get(key);
    if (stream && stream.expiresAt <= now()) {
      streams.delete(key);
      return undefined;
    }
    return stream;
  };

  const read = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt !== null && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const counter = (key: string, at: number): number => {
    const c = counters.get(key);
    if (!c) return 0;
    if (c.expiresAt <= at) {
      counters.delete(key);
      return 0;
    }
    return c.count;
  };

  return {
    async get<T = unknown>(key: string): Promise<T | null> {
      const entry = read(key);
      return entry ? (JSON.parse(entry.json) as T) : null;
    },

    async getMany(keys) {
      return keys.map((key) => {
        const entry = read(key);
        return entry ? (JSON.parse(entry.json) as unknown) : null;
      });
    },

    async set(key, value, opts) {
      sweep();
      const ttl = opts?.ttlSeconds;
      entries.set(key, {
        json: JSON.stringify(value ?? null),
        expiresAt: ttl !== undefined && ttl > 0 ? now() + ttl * 1000 : null,
      });
    },

    async del(key) {
      entries.delete(key);
    },

    async incr(key, opts) {
      sweep();
      const entry = read(key);
      const next = (entry ? Number(JSON.parse(entry.json)) || 0 : 0) + 1;
      entries.set(key, { json: JSON.stringify(next), expiresAt: entry ? entry.expiresAt : now() + opts.ttlSeconds * 1000 });
      return next;
    },

    // Mirrors @upstash/ratelimit's slidingWindow: the previous fixed window counts in proportion
    // to how much of it still overlaps the sliding window, and a refused hit is not counted.
    async rateLimit(key, limit, windowSeconds): Promise<RateLimitResult> {
      sweep();
      const at = now();
      const windowMs = windowSeconds * 1000;
      const current = Math.floor(at / windowMs);
      const currentKey = `${key}:${current}`;
      const reset = (current + 1) * windowMs;
      const elapsed = (at % windowMs) / windowMs;
      const previous = Math.floor((1 - elapsed) * counter(`${key}:${current - 1}`, at));
      const used = counter(currentKey, at);
      if (previous + used >= limit) return { success: false, limit, remaining: 0, reset };
      counters.set(currentKey, { count: used + 1, expiresAt: reset + windowMs + 1000 });
      return { success: true, limit, remaining: Math.max(0, limit - (used + 1 + previous)), reset };
    },

    async rateLimitAll(checks) {
      const results: RateLimitResult[] = [];
      for (const check of checks) results.push(await this.rateLimit(check.key, check.limit, check.windowSeconds));
      return results;
    },

    // Ids follow Redis: `<ms>-<seq>`, strictly increasing even when the clock stands still.
    async streamAppend(key, data, options) {
      sweep();
      const at = now();
      const stream = liveStream(key) ?? { entries: [], lastMs: 0, lastSeq: -1, expiresAt: 0 };
      if (at > stream.lastMs) {
        stream.lastMs = at;
        stream.lastSeq = 0;
      } else stream.lastSeq += 1;
      const id = `${stream.lastMs}-${stream.lastSeq}`;
      stream.entries.push({ id, data });
      if (stream.entries.length > options.maxLen) stream.entries.splice(0, stream.entries.length - options.maxLen);
      stream.expiresAt = at + options.ttlSeconds * 1000;
      streams.set(key, stream);
      return id;
    },

    async streamRead(key, afterId, count) {
      const stream = liveStream(key);
      if (!stream) return [];
      const after = parseStreamId(afterId);
      const out: StreamEntry[] = [];
      for (const entry of stream.entries) {
        if (compareStreamIds(parseStreamId(entry.id), after) <= 0) continue;
        out.push(entry);
        if (out.length >= count) break;
      }
      return out;
    },

    async streamLastId(key) {
      const stream = liveStream(key);
      return stream?.entries.at(-1)?.id ?? '0-0';
    },

    async streamDelete(key, ids) {
      const stream = liveStream(key);
      if (!stream || ids.length === 0) return 0;
      const gone = new Set(ids);
      const before = stream.entries.length;
      stream.entries = stream.entries.filter((entry) => !gone.has(entry.id));
      return before - stream.entries.length;
    },

    async ping() {},

    clear() {
      entries.clear();
      counters.clear();
      streams.clear();
    },
  };
}

/** `<ms>-<seq>` (or a bare `<ms>`) as numbers; anything unparsable reads as the start. */
export function parseStreamId(id: string): [number, number] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(id.trim());
  if (!match) return [0, 0];
  return [Number(match[1]), Number(match[2] ?? 0)];
}

export function compareStreamIds(a: [number, number], b: [number, number]) {
  return a[0] - b[0] || a[1] - b[1];
}
