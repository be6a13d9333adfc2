import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

describe('chatbot identity secret', () => {
  it('keeps one key until it is rotated, and shows it to admins only', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const bot = await api.call('POST', '/api/v1/chatbots', { token: owner.token, body: { name: 'Soporte' } });
    const first = await api.call('GET', `/api/v1/chatbots/${bot.body.id}/identity-secret`, { token: owner.token });
    expect(first.status, first.text).toBe(200);
    expect(first.body.secret).toMatch(/\S{32,}/);
    const again = await api.call('GET', `/api/v1/chatbots/${bot.body.id}/identity-secret`, { token: owner.token });
    expect(again.body.secret).toBe(first.body.secret);
    const rotated = await api.call('POST', `/api/v1/chatbots/${bot.body.id}/identity-secret`, { token: owner.token });
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.secret).not.toBe(first.body.secret);
    expect((await api.call('GET', `/api/v1/chatbots/${bot.body.id}/identity-secret`, { token: owner.token })).body.secret).toBe(rotated.body.secret);

    const agent = await api.addMember(owner, org.id, 'agent');
    expect((await api.call('GET', `/api/v1/chatbots/${bot.body.id}/identity-secret`, { token: agent.token })).status).toBe(403);
  });
});
