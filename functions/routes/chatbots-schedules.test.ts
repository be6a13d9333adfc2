import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

async function setup() {
  const user = await api.signUp();
  await api.createOrg(user);
  const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Soporte', model: 'builtin:extractive' } });
  expect(bot.status, bot.text).toBe(201);
  return { user, bot: bot.body };
}

describe('chatbot business hours', () => {
  it('manages business hours', async () => {
    const { user, bot } = await setup();
    const created = await api.call('POST', `/api/v1/chatbots/${bot.id}/schedules`, { token: user.token, body: { weekday: 1, opensAt: '09:00', closesAt: '18:00' } });
    expect(created.status, created.text).toBe(201);
    const bad = await api.call('POST', `/api/v1/chatbots/${bot.id}/schedules`, { token: user.token, body: { weekday: 9, opensAt: '25:00', closesAt: '18:00' } });
    expect(bad.status).toBe(422);
    const list = await api.call('GET', `/api/v1/chatbots/${bot.id}/schedules`, { token: user.token });
    expect(list.body).toEqual({ data: [{ id: created.body.id, weekday: 1, opensAt: '09:00', closesAt: '18:00' }], timezone: 'UTC' });
    const changed = await api.call('PUT', `/api/v1/chatbots/${bot.id}/schedules/${created.body.id}`, { token: user.token, body: { weekday: 2, opensAt: '10:00', closesAt: '14:00' } });
    expect(changed.body.weekday).toBe(2);
    expect((await api.call('DELETE', `/api/v1/chatbots/${bot.id}/schedules/${created.body.id}`, { token: user.token })).status).toBe(204);
  });
});
