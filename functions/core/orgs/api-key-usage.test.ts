import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys } from '../../../db/schema';
import { createTestApi, type TestApi } from '../../testing/harness';
import { countApiKeyUse, flushApiKeyUsage, USAGE_BUCKET_SECONDS } from './api-key-usage';

// Its own runtime: flushing with a clock set ahead moves the shared "flushed through" mark.
let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

const BUCKET_MS = USAGE_BUCKET_SECONDS * 1000;

async function storedUsage(keyId: string) {
  const [row] = await api.runtime.services.db.select({ requestCount: apiKeys.requestCount, lastUsedAt: apiKeys.lastUsedAt }).from(apiKeys).where(eq(apiKeys.id, keyId));
  return row!;
}

async function listed(token: string, keyId: string) {
  const res = await api.call('GET', '/api/v1/api-keys', { token });
  expect(res.status, res.text).toBe(200);
  return res.body.data.find((k: { id: string }) => k.id === keyId) as { requestCount: number; lastUsedAt: string | null };
}

describe('API key usage counted in KV', () => {
  it('shows a key\u2019s requests in Settings at once, without a row update per request, and the sweep stores them exactly once', async () => {
    const owner = await api.signUp();
    await api.createOrg(owner);
    const created = await api.call('POST', '/api/v1/api-keys', { token: owner.token, body: { name: 'CRM', rateLimitPerMinute: 2 } });
    const id = created.body.apiKey.id as string;
    const key = created.body.key as string;
    expect((await api.call('GET', '/api/v1/knowledge-bases', { token: key })).status).toBe(200);
    expect((await api.call('GET', '/api/v1/knowledge-bases', { token: key })).status).toBe(200);
    expect((await api.call('GET', '/api/v1/knowledge-bases', { token: key })).status).toBe(429);
    await api.runtime.idle();

    expect(await storedUsage(id)).toEqual({ requestCount: 0, lastUsedAt: null });
    const before = await listed(owner.token, id);
    expect(before.requestCount).toBe(2);
    expect(before.lastUsedAt).not.toBeNull();

    // The sweep a few buckets later: the closed buckets go to the database, once.
    const later = Date.now() + 3 * BUCKET_MS;
    expect(await flushApiKeyUsage(api.runtime.services, { now: later })).toBe(2);
    const stored = await storedUsage(id);
    expect(stored.requestCount).toBe(2);
    expect(stored.lastUsedAt).not.toBeNull();
    expect(await flushApiKeyUsage(api.runtime.services, { now: later })).toBe(0);
    expect((await storedUsage(id)).requestCount).toBe(2);
    // Flushed counts are not added a second time on reading.
    expect((await listed(owner.token, id)).requestCount).toBe(2);
  });

  it('adds a bucket once when two sweeps run together', async () => {
    const owner = await api.signUp();
    await api.createOrg(owner);
    const id = (await api.call('POST', '/api/v1/api-keys', { token: owner.token, body: { name: 'Sync' } })).body.apiKey.id as string;
    const { kv } = api.runtime.services;
    const at = Date.now() + 10 * BUCKET_MS;
    await countApiKeyUse(kv, id, at);
    await countApiKeyUse(kv, id, at);
    await countApiKeyUse(kv, id, at + BUCKET_MS);
    const sweepAt = at + 4 * BUCKET_MS;
    const [a, b] = await Promise.all([flushApiKeyUsage(api.runtime.services, { now: sweepAt }), flushApiKeyUsage(api.runtime.services, { now: sweepAt })]);
    expect(a + b).toBe(3);
    expect((await storedUsage(id)).requestCount).toBe(3);
  });
});
