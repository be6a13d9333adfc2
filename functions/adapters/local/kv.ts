import type { KV, RateLimitResult } from '../../ports';

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
  let lastSweep = now();

  // Keys nobody reads again would otherwise live forever in a long-running dev server.
  const sweep = () => {
    const at = now();
    if (at - lastSweep < 60_000) return;
    lastSweep = at;
    for (const [key, e] of entries) if (e.expiresAt !== null && e.expiresAt <= at) entries.delete(key);
    for (const [key, c] of counters) if (c.expiresAt <= at) counters.delete(key);
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

    async ping() {},

    clear() {
      entries.clear();
      counters.clear();
    },
  };
}
