import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';
import { settledDocument, setupKnowledgeBase } from '../testing/knowledge';

/** A document's chunks, reprocessing and refreshing (/documents/{doc_id}/chunks, /reprocess, /refresh). */
let api: TestApi;

beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe('document indexing', () => {
  it('pages through the chunks in order, reprocesses to the same chunks, and refuses to refresh a text', async () => {
    const { user, base } = await setupKnowledgeBase(api);
    const paragraph = (i: number) => `El apartado ${i} explica la condición número ${i} del servicio, con sus plazos, excepciones y ejemplos. `.repeat(6);
    const text = Array.from({ length: 20 }, (_, i) => `## Sección ${i}\n\n${paragraph(i)}`).join('\n\n');
    const created = await api.call('POST', `${base}/documents`, { token: user.token, body: { type: 'text', name: 'Condiciones', text } });
    expect(created.status, created.text).toBe(202);
    const doc = await settledDocument(api, user, base, created.body.id);
    expect(doc.status).toBe('ready');

    const chunksAt = `${base}/documents/${doc.id}/chunks`;
    const first = await api.call('GET', `${chunksAt}?limit=2`, { token: user.token });
    expect(first.body.data.map((c: { position: number }) => c.position)).toEqual([0, 1]);
    expect(first.body.nextCursor).toBe('2');
    const all = await api.call('GET', `${chunksAt}?limit=200`, { token: user.token });
    expect(all.body.data).toHaveLength(doc.chunkCount);
    expect(all.body.nextCursor).toBeNull();
    expect((await api.call('GET', `${chunksAt}?cursor=nope`, { token: user.token })).status).toBe(400);

    const reprocessed = await api.call('POST', `${base}/documents/${doc.id}/reprocess`, { token: user.token });
    expect(reprocessed.status, reprocessed.text).toBe(202);
    const again = await settledDocument(api, user, base, doc.id);
    expect(again).toMatchObject({ status: 'ready', chunkCount: doc.chunkCount });
    const after = await api.call('GET', `${chunksAt}?limit=200`, { token: user.token });
    expect(after.body.data.map((c: { content: string }) => c.content)).toEqual(all.body.data.map((c: { content: string }) => c.content));

    const refresh = await api.call('POST', `${base}/documents/${doc.id}/refresh`, { token: user.token });
    expect(refresh.status).toBe(400);
  });
});
