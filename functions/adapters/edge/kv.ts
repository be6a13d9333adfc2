import type { KV, RateLimitResult } from '../../ports';
import { afterThisTask } from '../../lib/next-task';

export interface UpstashKvOptions {
  url: string;
  token: string;
  /** Key prefix for rate-limit counters. */
  prefix?: string;
  /**
   * How a pipeline reaches Upstash: `fetch` unless given. On Node (the benches' edge KV path) a
   * keep-alive node:http client stands in for workerd's native fetch, which costs the isolate
   * little; undici's fetch allocates about 30 KB of JavaScript objects a call.
   */
  post?: UpstashPost;
}

/** One POST to Upstash's REST API: the reply's status and text. */
export type UpstashPost = (url: string, headers: Record<string, string>, body: string) => Promise<{ status: number; text: string }>;

const postWithFetch: UpstashPost = async (url, headers, body) => {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text() };
};

type Command = Array<string | number>;

/** One port call's commands, and how their replies become its result. */
interface Operation {
  commands: Command[];
  settle(replies: unknown[]): void;
  fail(error: unknown): void;
}

/**
 * The sliding window of the local adapter (adapters/local/kv.ts), as one atomic script: the
 * previous window counts by how much of it still overlaps, a refused hit is not counted, and each
 * window's counter expires once it can no longer weigh. Returns {allowed, used before this hit}.
 */
const SLIDING_WINDOW = `
local limit = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local used = math.floor((1 - (now % window) / window) * previous) + current
if used >= limit then return {0, used} end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], window * 2 + 1000) end
return {1, used}
`;

/** INCR, and the expiry set by the hit that created the counter, atomically. */
const COUNT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
`;

/**
 * KV on Upstash Redis over its REST API (plain fetch, so it works in workerd). Values are stored as
 * JSON text that we serialize ourselves, so `get` returns exactly what `set` was given.
 *
 * Every call made in the same turn of the event loop goes out as ONE request to Upstash's
 * `/pipeline` endpoint, reads and writes together, in call order: a chat turn's bot lookup and
 * both rate limits cost one round trip, an event's stream append and the webhook lookup another.
 * (The @upstash/redis client also pipelines automatically, but keeps reads and writes in separate
 * requests, and @upstash/ratelimit calls it directly, so neither is used here.) The adapter is built
 * per request (adapters/edge/services.ts), so nothing is shared between requests.
 */
export function createUpstashKv(options: UpstashKvOptions): KV {
  const endpoint = `${options.url.replace(/\/$/, '')}/pipeline`;
  const prefix = options.prefix ?? 'versaai:rl';
  const post = options.post ?? postWithFetch;
  const headers = { Authorization: `Bearer ${options.token}`, 'Content-Type': 'application/json' };
  let queued: Operation[] = [];

  async function flush() {
    const batch = queued;
    queued = [];
    try {
      const { status, text } = await post(endpoint, headers, JSON.stringify(batch.flatMap((op) => op.commands)));
      if (status < 200 || status > 299) throw new Error(`Upstash answered ${status}: ${text.slice(0, 300)}`);
      const replies = JSON.parse(text) as Array<{ result?: unknown; error?: string }>;
      let at = 0;
      for (const op of batch) {
        const mine = replies.slice(at, at + op.commands.length);
        at += op.commands.length;
        const failed = mine.find((r) => r?.error !== undefined);
        if (failed || mine.length !== op.commands.length) op.fail(new Error(`Upstash command failed: ${failed?.error ?? 'missing reply'}`));
        else op.settle(mine.map((r) => r.result));
      }
    } catch (error) {
      for (const op of batch) op.fail(error);
    }
  }

  /** Queues `commands`; the first call of a turn schedules the flush after the current task. */
  function run<T>(commands: Command[], read: (replies: unknown[]) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (queued.length === 0) afterThisTask(() => void flush());
      queued.push({
        commands,
        settle: (replies) => {
          try {
            resolve(read(replies));
          } catch (error) {
            reject(error);
          }
        },
        fail: reject,
      });
    });
  }

  const parse = (value: unknown) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : null);

  function rateLimitCommand(key: string, limit: number, windowSeconds: number, at: number): { command: Command; reset: number } {
    const windowMs = windowSeconds * 1000;
    const current = Math.floor(at / windowMs);
    const base = `${prefix}:${key}`;
    return {
      command: ['EVAL', SLIDING_WINDOW, 2, `${base}:${current}`, `${base}:${current - 1}`, limit, at, windowMs],
      reset: (current + 1) * windowMs,
    };
  }

  function rateLimitResult(reply: unknown, limit: number, reset: number): RateLimitResult {
    const [allowed, used] = reply as [number, number];
    const success = allowed === 1;
    return { success, limit, remaining: success ? Math.max(0, limit - used - 1) : 0, reset };
  }

  const kv: KV = {
    get<T = unknown>(key: string): Promise<T | null> {
      return run([['GET', key]], ([value]) => parse(value) as T | null);
    },
    getMany(keys) {
      if (keys.length === 0) return Promise.resolve([]);
      return run([['MGET', ...keys]], ([values]) => (values as unknown[]).map(parse));
    },
    set(key, value, setOptions) {
      const json = JSON.stringify(value ?? null);
      const command: Command = setOptions?.ttlSeconds ? ['SET', key, json, 'EX', Math.max(1, Math.ceil(setOptions.ttlSeconds))] : ['SET', key, json];
      return run([command], () => undefined);
    },
    del(key) {
      return run([['DEL', key]], () => undefined);
    },
    incr(key, incrOptions) {
      return run([['EVAL', COUNT, 1, key, Math.max(1, Math.ceil(incrOptions.ttlSeconds))]], ([n]) => Number(n));
    },
    rateLimit(key, limit, windowSeconds) {
      const { command, reset } = rateLimitCommand(key, limit, windowSeconds, Date.now());
      return run([command], ([reply]) => rateLimitResult(reply, limit, reset));
    },
    rateLimitAll(checks) {
      if (checks.length === 0) return Promise.resolve([]);
      const at = Date.now();
      const built = checks.map((check) => rateLimitCommand(check.key, check.limit, check.windowSeconds, at));
      return run(
        built.map((b) => b.command),
        (replies) => replies.map((reply, i) => rateLimitResult(reply, checks[i]!.limit, built[i]!.reset)),
      );
    },
    streamAppend(key, data, appendOptions) {
      // The append and the expiry in the same round trip.
      return run(
        [
          ['XADD', key, 'MAXLEN', '~', appendOptions.maxLen, '*', 'd', data],
          ['EXPIRE', key, Math.max(1, Math.ceil(appendOptions.ttlSeconds))],
        ],
        ([id]) => id as string,
      );
    },
    streamRead(key, afterId, count) {
      const validAfter = /^\d+(-\d+)?$/.test(afterId) ? afterId : '0-0';
      return run([['XRANGE', key, `(${validAfter}`, '+', 'COUNT', count]], ([entries]) => streamEntries(entries));
    },
    streamLastId(key) {
      return run([['XREVRANGE', key, '+', '-', 'COUNT', 1]], ([entries]) => streamEntries(entries)[0]?.id ?? '0-0');
    },
    streamDelete(key, ids) {
      if (ids.length === 0) return Promise.resolve(0);
      return run([['XDEL', key, ...ids]], ([deleted]) => Number(deleted) || 0);
    },
    async ping() {
      const reply = await run([['PING']], ([pong]) => pong);
      if (reply !== 'PONG') throw new Error(`Upstash Redis answered PING with ${JSON.stringify(reply)}`);
    },
  };
  return kv;
}

/** `[[id, [field, value, ...]], ...]` -> entries with the `d` field as text. */
function streamEntries(reply: unknown): Array<{ id: string; data: string }> {
  return ((reply as Array<[string, string[]]> | null) ?? []).map(([id, fields]) => {
    const at = fields.indexOf('d');
    return { id, data: at >= 0 ? String(fields[at + 1]) : '' };
  });
}
