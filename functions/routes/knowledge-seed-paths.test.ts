import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi, type TestUser } from '../testing/harness';
import { setupKnowledgeBase, settledDocument } from '../testing/knowledge';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

const setup = () => setupKnowledgeBase(api);
const settled = (user: TestUser, base: string, docId: string) => settledDocument(api, user, base, docId);

describe('the brief\'s original paths', () => {
  it('/api/v1/knowledge-base/... work on the only knowledge base, or the one named by knowledge_base_id', async () => {
    const { user, kbId, base } = await setup();
    const created = await api.upload('/api/v1/knowledge-base/documents/upload', { name: 'faq.md', bytes: new TextEncoder().encode('# FAQ\n\nEl soporte responde en menos de dos horas.') }, { token: user.token });
    expect(created.status, created.text).toBe(202);
    await settled(user, base, created.body.id);
    const list = await api.call('GET', '/api/v1/knowledge-base/documents', { token: user.token });
    expect(list.body.data.map((d: { id: string }) => d.id)).toEqual([created.body.id]);
    const one = await api.call('GET', `/api/v1/knowledge-base/documents/${created.body.id}?knowledge_base_id=${kbId}`, { token: user.token });
    expect(one.body).toMatchObject({ id: created.body.id, status: 'ready' });
    const hits = await api.call('POST', '/api/v1/knowledge-base/search', { token: user.token, body: { query: '¿cuánto tarda el soporte?' } });
    expect(hits.status, hits.text).toBe(200);
    expect(hits.body.data[0].documentId).toBe(created.body.id);
    const semantic = await api.call('POST', '/api/v1/knowledge-base/semantic-search', { token: user.token, body: { query: 'soporte dos horas' } });
    expect(semantic.body.data.every((h: { retrievers: string[] }) => h.retrievers.join() === 'vector')).toBe(true);
    const config = await api.call('GET', '/api/v1/knowledge-base/config', { token: user.token });
    expect(config.body).toMatchObject({ id: kbId, retrieval: { mode: 'hybrid' } });
    const put = await api.call('PUT', '/api/v1/knowledge-base/config', { token: user.token, body: { retrieval: { mode: 'hybrid', topK: 3, scoreThreshold: 0 } } });
    expect(put.body.retrieval.topK).toBe(3);
    expect((await api.call('POST', '/api/v1/knowledge-base/reindex', { token: user.token })).status).toBe(202);
    await api.call('POST', '/api/v1/knowledge-bases', { token: user.token, body: { name: 'Segunda' } });
    const ambiguous = await api.call('GET', '/api/v1/knowledge-base/documents', { token: user.token });
    expect(ambiguous.status).toBe(400);
    expect((await api.call('DELETE', `/api/v1/knowledge-base/documents/${created.body.id}?knowledge_base_id=${kbId}`, { token: user.token })).status).toBe(204);
  });
});
