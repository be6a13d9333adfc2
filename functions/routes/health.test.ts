import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabasePulse } from '../ports';
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

describe('GET /health on the local runtime, from the database gate', () => {
  const withPulse = async (reading: ReturnType<DatabasePulse['read']>, check: () => Promise<void>) => {
    const services = api.runtime.services;
    const original = services.databasePulse;
    services.databasePulse = { read: () => reading };
    try {
      await check();
    } finally {
      services.databasePulse = original;
    }
  };

  it('takes a statement that just completed as the SQL check instead of queueing one', async () => {
    await withPulse({ state: 'answering', sinceLastCompletionMs: 10, pendingMs: 0 }, async () => {
      const res = await api.call('GET', '/health');
      expect(res.status, res.text).toBe(200);
      expect(res.body.checks.sql).toEqual({ ok: true, latencyMs: 0, observed: 'recent-statement' });
    });
  });

  it('reports a stuck database as degraded at once', async () => {
    await withPulse({ state: 'stuck', sinceLastCompletionMs: 5000, pendingMs: 4800 }, async () => {
      const res = await api.call('GET', '/health');
      expect(res.status, res.text).toBe(503);
      expect(res.body.status).toBe('degraded');
      expect(res.body.checks.sql).toMatchObject({ ok: false, latencyMs: 4800, error: expect.stringContaining('stuck') });
    });
  });

  it('reports a database whose worker thread died as down, without queueing a probe', async () => {
    const failure = 'the database worker stopped (exit code 1)';
    await withPulse({ state: 'down', sinceLastCompletionMs: 100, pendingMs: 0, failure }, async () => {
      const res = await api.call('GET', '/health');
      expect(res.status, res.text).toBe(503);
      expect(res.body.checks.sql).toMatchObject({ ok: false, error: `down: ${failure}` });
    });
  });

  it('runs its own probe when the database has been quiet', async () => {
    await withPulse({ state: 'quiet', sinceLastCompletionMs: 60_000, pendingMs: 0 }, async () => {
      const res = await api.call('GET', '/health');
      expect(res.status, res.text).toBe(200);
      expect(res.body.checks.sql).toMatchObject({ ok: true });
      expect(res.body.checks.sql.observed).toBeUndefined();
    });
  });
});
