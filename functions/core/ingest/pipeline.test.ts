import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunks } from '../../../db/schema';
import { lyingDocxBomb } from '../../../scripts/fixtures/make-docx';
import { createTestApi, type TestApi, type TestUser } from '../../testing/harness';

async function knowledgeBase(api: TestApi) {
  const user = await api.signUp();
  await api.createOrg(user);
  const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: user.token, body: { name: 'Ayuda' } });
  expect(kb.status, kb.text).toBe(201);
  return { user, base: `/api/v1/knowledge-bases/${kb.body.id}` };
}

/** Runs queued jobs until the document settles (retries wait for their back-off, so drain again). */
async function settled(api: TestApi, user: TestUser, base: string, docId: string) {
  for (;;) {
    await api.runtime.queue.drain({ timeoutMs: 120_000 });
    const res = await api.call('GET', `${base}/documents/${docId}`, { token: user.token });
    expect(res.status, res.text).toBe(200);
    if (res.body.status === 'ready' || res.body.status === 'failed') return res.body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function storedChunks(api: TestApi, documentId: string) {
  return api.runtime.services.db.select({ id: chunks.id }).from(chunks).where(eq(chunks.documentId, documentId));
}

describe('ingestion of hostile files', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi();
  }, 120_000);
  afterAll(() => api?.close());

  it('a DOCX that lies about its size fails at the byte cap with a clear reason and no chunks', { timeout: 120_000 }, async () => {
    const { user, base } = await knowledgeBase(api);
    const created = await api.upload(`${base}/documents/upload`, { name: 'bomba.docx', bytes: lyingDocxBomb(80, 5 * 1024 * 1024) }, { token: user.token });
    expect(created.status, created.text).toBe(202);
    const doc = await settled(api, user, base, created.body.id);
    expect(doc).toMatchObject({ status: 'failed', error: 'The file expands to more than 50 MB of text', chunkCount: 0 });
    expect(await storedChunks(api, created.body.id)).toEqual([]);
  });
});

describe('ingestion when the worker dies', () => {
  let api: TestApi;
  beforeAll(async () => {
    // A heap this small cannot hold the parsed CSV below: the worker dies on every attempt.
    api = await createTestApi({ env: { INGEST_WORKERS: '1', INGEST_WORKER_MAX_MEMORY_MB: '16' } });
  }, 120_000);
  afterAll(() => api?.close());

  it('retries the job, then fails the document with the reason, and the next document is ingested', { timeout: 180_000 }, async () => {
    const { user, base } = await knowledgeBase(api);
    const rows = Array.from({ length: 400_000 }, (_, i) => `${i},Product number ${i},${i % 97} units in store ${i % 13}`);
    const csv = new TextEncoder().encode(['id,name,stock', ...rows].join('\n'));
    const created = await api.upload(`${base}/documents/upload`, { name: 'inventario.csv', bytes: csv, type: 'text/csv' }, { token: user.token });
    expect(created.status, created.text).toBe(202);
    const doc = await settled(api, user, base, created.body.id);
    expect(doc.status).toBe('failed');
    expect(doc.error).toMatch(/^Gave up after 4 attempts: The ingestion worker stopped/);
    expect(await storedChunks(api, created.body.id)).toEqual([]);

    const small = await api.upload(`${base}/documents/upload`, { name: 'tiendas.csv', bytes: new TextEncoder().encode('tienda,horario\nCentro,10-20'), type: 'text/csv' }, { token: user.token });
    expect((await settled(api, user, base, small.body.id)).status).toBe('ready');
  });
});
