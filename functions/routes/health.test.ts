import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe('GET /health', () => {
  it('GET /health reports every dependency with latency', async () => {
    const res = await api.call('GET', '/health');
    expect(res.status, res.text).toBe(200);
    expect(res.body.status).toBe('ok');
    for (const name of ['sql', 'kv', 'queue', 'vectors']) {
      expect(res.body.checks[name]).toMatchObject({ ok: true, latencyMs: expect.any(Number) });
    }
  });

  it('GET /health answers 503 when a dependency is down', async () => {
    const { vectors } = api.runtime.services;
    const original = vectors.ping;
    vectors.ping = async () => {
      throw new Error('vector store unreachable');
    };
    try {
      const res = await api.call('GET', '/health');
      expect(res.status, res.text).toBe(503);
      expect(res.body.checks.vectors).toMatchObject({ ok: false, error: 'vector store unreachable' });
    } finally {
      vectors.ping = original;
    }
  });
});
