import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis/cloudflare';
import type { KV, RateLimitResult } from '../../ports';

export interface UpstashKvOptions {
  url: string;
  token: string;
  /** Key prefix for rate-limit counters. */
  prefix?: string;
}

/**
 * KV on Upstash Redis over its REST API (plain fetch, so it works in workerd). Values are stored as
 * JSON text that we serialize ourselves, so `get` returns exactly what `set` was given (the client's
 * own serializer would turn a stored string "123" into the number 123).
 */
export function createUpstashKv(options: UpstashKvOptions): KV {
  // Telemetry off: it would add headers derived from the runtime on every call, and nothing here
  // should phone home unasked.
  const redis = new Redis({ url: options.url, token: options.token, enableTelemetry: false });
  const prefix = options.prefix ?? 'versaai:rl';

  return {
    async get<T = unknown>(key: string): Promise<T | null> {
      const value = await redis.get<T>(key);
      return value ?? null;
    },
    async getMany(keys) {
      if (keys.length === 0) return [];
      const values = await redis.mget<unknown[]>(...keys);
      return values.map((value) => value ?? null);
    },
    async set(key, value, setOptions) {
      const json = JSON.stringify(value ?? null);
      if (setOptions?.ttlSeconds) await redis.set(key, json, { ex: Math.max(1, Math.ceil(setOptions.ttlSeconds)) });
      else await redis.set(key, json);
    },
    async del(key) {
      await redis.del(key);
    },
    async rateLimit(key, limit, windowSeconds): Promise<RateLimitResult> {
      // Cheap to build per call: a Ratelimit holds no connection. Options chosen so it fails closed
      // and keeps no state between requests:
      // - timeout 0: the default 5 s timeout *allows* the request when Redis is slow;
      // - ephemeralCache false: its default is an in-isolate Map that a second isolate would not see;
      // - analytics false: no extra writes per hit.
      const limiter = new Ratelimit({
        redis,
        limiter: Ratelimit.slidingWindow(limit, `${windowSeconds} s`),
        prefix,
        timeout: 0,
        ephemeralCache: false,
        analytics: false,
      });
      const result = await limiter.limit(key);
      return { success: result.success, limit: result.limit, remaining: Math.max(0, result.remaining), reset: result.reset };
    },
    async streamAppend(key, data, options) {
      // Pipelined so the append and the expiry cost one HTTP round trip.
      const pipeline = redis.pipeline();
      pipeline.xadd(key, '*', { d: data }, { trim: { type: 'MAXLEN', threshold: options.maxLen, comparison: '~' } });
      pipeline.expire(key, Math.max(1, Math.ceil(options.ttlSeconds)));
      const [id] = await pipeline.exec<[string, number]>();
      return id;
    },
    async streamRead(key, afterId, count) {
      const validAfter = /^\d+(-\d+)?$/.test(afterId) ? afterId : '0-0';
      const entries = await redis.xrange<{ d: unknown }>(key, `(${validAfter}`, '+', count);
      return Object.entries(entries).map(([id, fields]) => ({ id, data: typeof fields.d === 'string' ? fields.d : JSON.stringify(fields.d) }));
    },
    async streamLastId(key) {
      const entries = await redis.xrevrange(key, '+', '-', 1);
      return Object.keys(entries)[0] ?? '0-0';
    },
    async ping() {
      const reply = await redis.ping();
      if (reply !== 'PONG') throw new Error(`Upstash Redis answered PING with ${JSON.stringify(reply)}`);
    },
  };
}
