import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi, type TestUser } from '../testing/harness';
import { setupKnowledgeBase, settledDocument, searchKnowledgeBase } from '../testing/knowledge';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

const setup = () => setupKnowledgeBase(api);
const settled = (user: TestUser, base: string, docId: string) => settledDocument(api, user, base, docId);
const search = (user: TestUser, base: string, query: string, extra?: Record<string, unknown>) => searchKnowledgeBase(api, user, base, query, extra);

describe('knowledge bases', () => {
  it('creates, lists with counts, updates and deletes', async () => {
    const { user, kbId, base } = await setup();
    const models = await api.call('GET', '/api/v1/knowledge-bases/embedding-models', { token: user.token });
    expect(models.body.data.find((m: { id: string }) => m.id === 'builtin-hash-384')).toMatchObject({ available: true, dimension: 384 });
    const list = await api.call('GET', '/api/v1/knowledge-bases', { token: user.token });
    expect(list.body.data).toMatchObject([{ id: kbId, name: 'Ayuda', documentCount: 0, embeddingModel: 'builtin-hash-v2-768', chunking: { strategy: 'structure', chunkSize: 400 } }]);
    const bad = await api.call('PUT', base, { token: user.token, body: { chunking: { strategy: 'fixed', chunkSize: 100, chunkOverlap: 200 } } });
    expect(bad.status).toBe(422);
    const unknownModel = await api.call('PUT', base, { token: user.token, body: { embeddingModel: 'openai:text-embedding-3-small' } });
    expect(unknownModel.status, 'no OpenAI key configured').toBe(400);
    expect((await api.call('DELETE', base, { token: user.token })).status).toBe(204);
    expect((await api.call('GET', base, { token: user.token })).status).toBe(404);
  });

  it('viewers can search but not change anything', async () => {
    const { user, base } = await setup();
    const orgId = (await api.call('GET', '/api/v1/organizations', { token: user.token })).body.data[0].id;
    const viewer = await api.addMember(user, orgId, 'viewer');
    const res = await api.call('POST', `${base}/search`, { token: viewer.token, body: { query: 'hola' } });
    expect(res.status, res.text).toBe(200);
    const write = await api.call('POST', `${base}/documents`, { token: viewer.token, body: { type: 'text', name: 'x', text: 'y' } });
    expect(write.status).toBe(403);
  });

  it('changing the chunking re-indexes every document', async () => {
    const { user, base } = await setup();
    const text = Array.from({ length: 30 }, (_, i) => `Párrafo ${i}: información sobre el servicio número ${i} y sus condiciones.`).join('\n\n');
    const created = await api.call('POST', `${base}/documents`, { token: user.token, body: { type: 'text', name: 'Servicios', text } });
    const before = await settled(user, base, created.body.id);
    const changed = await api.call('PUT', base, { token: user.token, body: { chunking: { strategy: 'fixed', chunkSize: 60, chunkOverlap: 10 } } });
    expect(changed.status, changed.text).toBe(200);
    const after = await settled(user, base, created.body.id);
    expect(after.status).toBe('ready');
    expect(after.chunkCount).toBeGreaterThan(before.chunkCount);
    expect((await search(user, base, 'servicio número 17'))[0].content).toContain('17');
  });
});
