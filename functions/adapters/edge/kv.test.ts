import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstashOnRedis } from '../../../scripts/bench-upstash';
import { createUpstashKv, type UpstashPost } from './kv';

/** The adapter's requests go through the `post` it is given (a Node host's own HTTP client), one per turn of the event loop. */
let upstash: Awaited<ReturnType<typeof startFakeUpstashOnRedis>>;

beforeAll(async () => {
  upstash = await startFakeUpstashOnRedis();
});
afterAll(async () => {
  await upstash?.close();
});

function recordingPost() {
  const sent: Array<{ url: string; headers: Record<string, string>; commands: unknown[][] }> = [];
  const post: UpstashPost = async (url, headers, body) => {
    sent.push({ url, headers, commands: JSON.parse(body) as unknown[][] });
    const res = await fetch(url, { method: 'POST', headers, body });
    return { status: res.status, text: await res.text() };
  };
  return { sent, post };
}

describe('the Upstash KV adapter with a given post', () => {
  it('sends one pipeline per turn through it, with the token, and reads the replies', async () => {
    const { sent, post } = recordingPost();
    const kv = createUpstashKv({ url: upstash.url, token: upstash.token, post });
    const key = `post-test:${crypto.randomUUID()}`;
    await kv.set(key, { n: 1 });
    const [value, limit] = await Promise.all([kv.get<{ n: number }>(key), kv.rateLimit(`${key}:rl`, 2, 60)]);
    expect(value).toEqual({ n: 1 });
    expect(limit).toMatchObject({ success: true, limit: 2, remaining: 1 });
    expect(sent.map((s) => s.commands.map((c) => c[0]))).toEqual([['SET'], ['GET', 'EVAL']]);
    expect(sent.every((s) => s.url === `${upstash.url}/pipeline` && s.headers.Authorization === `Bearer ${upstash.token}`)).toBe(true);
  });

  it('fails every call of the turn when Upstash refuses the request', async () => {
    const kv = createUpstashKv({ url: upstash.url, token: 'wrong', post: recordingPost().post });
    const results = await Promise.allSettled([kv.get('a'), kv.rateLimit('b', 1, 60)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/Upstash answered 401/);
  });

  it('fails the calls, not the process, when the reply is not JSON', async () => {
    const post: UpstashPost = async () => ({ status: 200, text: '<html>gateway</html>' });
    const kv = createUpstashKv({ url: upstash.url, token: upstash.token, post });
    await expect(kv.get('a')).rejects.toThrow();
  });
});
