import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

const file = (text: string) => ({ name: 'horarios.txt', bytes: new TextEncoder().encode(text), type: 'text/plain' });

describe('POST /bots/{id}/train (the brief\u2019s path)', () => {
  it('puts the file into the bot\u2019s first knowledge base and indexes it', async () => {
    const owner = await api.signUp();
    await api.createOrg(owner);
    const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: owner.token, body: { name: 'Ayuda' } });
    const bot = await api.call('POST', '/api/v1/chatbots', { token: owner.token, body: { name: 'Sol', knowledgeBaseIds: [kb.body.id] } });
    const trained = await api.upload(`/api/v1/bots/${bot.body.id}/train`, file('La tienda abre de lunes a sábado de 10 a 20 horas.'), { token: owner.token });
    expect(trained.status, trained.text).toBe(202);
    expect(trained.body).toMatchObject({ knowledgeBaseId: kb.body.id, status: 'pending' });
    await api.runtime.queue.drain();
    const doc = await api.call('GET', `/api/v1/knowledge-bases/${kb.body.id}/documents/${trained.body.id}`, { token: owner.token });
    expect(doc.body.status).toBe('ready');
    // The same route under /chatbots, for clients that name bots that way.
    const again = await api.upload(`/api/v1/chatbots/${bot.body.id}/train`, file('Los domingos cerramos.'), { token: owner.token });
    expect(again.body.knowledgeBaseId).toBe(kb.body.id);
  });

  it('gives a bot without knowledge a new knowledge base named after it, and links it', async () => {
    const owner = await api.signUp();
    await api.createOrg(owner);
    const bot = await api.call('POST', '/api/v1/chatbots', { token: owner.token, body: { name: 'Luna' } });
    const trained = await api.upload(`/api/v1/bots/${bot.body.id}/train`, file('Enviamos a toda España.'), { token: owner.token });
    expect(trained.status, trained.text).toBe(202);
    const after = await api.call('GET', `/api/v1/chatbots/${bot.body.id}`, { token: owner.token });
    expect(after.body.knowledgeBaseIds).toEqual([trained.body.knowledgeBaseId]);
    const kb = await api.call('GET', `/api/v1/knowledge-bases/${trained.body.knowledgeBaseId}`, { token: owner.token });
    expect(kb.body.name).toBe('Luna');
  });

  it('needs the admin role, and never reaches another organization\u2019s bot', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const bot = await api.call('POST', '/api/v1/chatbots', { token: owner.token, body: { name: 'Sol' } });
    const agent = await api.addMember(owner, org.id, 'agent');
    expect((await api.upload(`/api/v1/bots/${bot.body.id}/train`, file('x'), { token: agent.token })).status).toBe(403);
    const stranger = await api.signUp();
    await api.createOrg(stranger);
    expect((await api.upload(`/api/v1/bots/${bot.body.id}/train`, file('x'), { token: stranger.token })).status).toBe(404);
    const kbs = await api.call('GET', '/api/v1/knowledge-bases', { token: stranger.token });
    expect(kbs.body.data).toEqual([]);
  });
});
