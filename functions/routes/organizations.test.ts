import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe('organizations', () => {
  it('register -> create -> list -> get -> update -> delete', async () => {
    const owner = await api.signUp();
    const created = await api.call('POST', '/api/v1/organizations', {
      token: owner.token,
      body: { name: 'Óptica Núñez', timezone: 'Europe/Madrid', language: 'es' },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ name: 'Óptica Núñez', role: 'owner', timezone: 'Europe/Madrid' });
    expect(created.body.slug).toMatch(/^optica-nunez-/);

    const list = await api.call('GET', '/api/v1/organizations', { token: owner.token });
    expect(list.body.data.map((o: { id: string }) => o.id)).toEqual([created.body.id]);

    const updated = await api.call('PUT', `/api/v1/organizations/${created.body.id}`, {
      token: owner.token,
      body: { name: 'Óptica Núñez SL', timezone: 'America/Mexico_City' },
    });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body.timezone).toBe('America/Mexico_City');

    const badTz = await api.call('PUT', `/api/v1/organizations/${created.body.id}`, { token: owner.token, body: { timezone: 'Mars/Olympus' } });
    expect(badTz.status).toBe(422);

    expect((await api.call('DELETE', `/api/v1/organizations/${created.body.id}`, { token: owner.token })).status).toBe(204);
    expect((await api.call('GET', `/api/v1/organizations/${created.body.id}`, { token: owner.token })).status).toBe(404);
  });

  it('X-Organization-Id picks the organization; without it, the only one is used', async () => {
    const owner = await api.signUp();
    const first = await api.createOrg(owner, 'One');
    const onlyOne = await api.call('GET', '/api/v1/api-keys', { token: owner.token });
    expect(onlyOne.status, onlyOne.text).toBe(200);
    const second = await api.createOrg(owner, 'Two');
    const ambiguous = await api.call('GET', '/api/v1/api-keys', { token: owner.token });
    expect(ambiguous.status).toBe(400);
    const chosen = await api.call('GET', '/api/v1/api-keys', { token: owner.token, orgId: second.id });
    expect(chosen.status).toBe(200);
    expect(first.id).not.toBe(second.id);
  });
});

describe('usage', () => {
  it('counts what the organization holds, and nothing of another one', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const empty = await api.call('GET', `/api/v1/organizations/${org.id}/usage`, { token: owner.token });
    expect(empty.status, empty.text).toBe(200);
    const { plan: emptyPlan, ...emptyCounts } = empty.body;
    expect(emptyCounts).toEqual({ conversations: 0, openConversations: 0, messages: 0, bots: 0, activeBots: 0, members: 1, knowledgeBases: 0, documents: 0, storageBytes: 0 });
    // No Stripe configured (self-hosting): every organization is on `unlimited`, nothing to buy.
    expect(emptyPlan).toMatchObject({ plan: 'unlimited', billingEnabled: false, upgrades: [], canManage: false });
    expect(emptyPlan.limits).toContainEqual({ name: 'bots', used: 0, limit: null });

    const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: owner.token, body: { name: 'Ayuda' } });
    const text = 'Abrimos de lunes a viernes de 9:00 a 18:00.';
    await api.call('POST', `/api/v1/knowledge-bases/${kb.body.id}/documents`, { token: owner.token, body: { type: 'text', name: 'Horario', text } });
    await api.runtime.queue.drain();
    const bot = await api.call('POST', '/api/v1/chatbots', { token: owner.token, body: { name: 'Sol', knowledgeBaseIds: [kb.body.id] } });
    await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: owner.token });
    await api.call('POST', '/api/v1/chatbots', { token: owner.token, body: { name: 'Borrador' } });
    const session = await api.call('POST', `/api/v1/widget/${bot.body.id}/session`, { body: {} });
    await api.call('POST', `/api/v1/widget/${bot.body.id}/chat`, { headers: { authorization: `Bearer ${session.body.sessionToken}` }, body: { message: '¿Qué horario tenéis?' } });

    const usage = await api.call('GET', `/api/v1/organizations/${org.id}/usage`, { token: owner.token });
    const { plan, ...counts } = usage.body;
    expect(plan.limits).toContainEqual({ name: 'bots', used: 2, limit: null });
    expect(counts).toEqual({
      conversations: 1,
      openConversations: 1,
      messages: 2,
      bots: 2,
      activeBots: 1,
      members: 1,
      knowledgeBases: 1,
      documents: 1,
      storageBytes: new TextEncoder().encode(text).byteLength,
    });
    const other = await api.signUp();
    await api.createOrg(other);
    expect((await api.call('GET', `/api/v1/organizations/${org.id}/usage`, { token: other.token })).status).toBe(404);
  });
});
