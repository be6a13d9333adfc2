import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botWithKnowledge, startBotTestApi } from '../testing/bots';
import type { FakeOpenAI } from '../testing/fake-openai';
import type { TestApi } from '../testing/harness';

let api: TestApi;
let llm: FakeOpenAI;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ api, llm, close } = await startBotTestApi());
});
afterAll(() => close());

const setup = (botOverrides: Record<string, unknown> = {}) => botWithKnowledge(api, botOverrides);

describe('chatbots API', () => {
  it('creates a draft with defaults, lists it, updates settings and deploys it', async () => {
    const { user, kbId, bot } = await setup();
    expect(bot).toMatchObject({ status: 'draft', model: 'builtin:extractive', knowledgeBaseIds: [kbId], language: 'auto', conversationCount: 0 });
    const list = await api.call('GET', '/api/v1/chatbots?status=draft', { token: user.token });
    expect(list.body.data.map((b: { id: string }) => b.id)).toEqual([bot.id]);
    const updated = await api.call('PUT', `/api/v1/chatbots/${bot.id}/config`, {
      token: user.token,
      body: { welcomeMessage: '¡Hola!', widget: { primaryColor: '#112233', position: 'bottom-left' }, allowedOrigins: ['https://shop.example.com'] },
    });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body).toMatchObject({ welcomeMessage: '¡Hola!', widget: { primaryColor: '#112233' }, allowedOrigins: ['https://shop.example.com'] });
    const config = await api.call('GET', `/api/v1/chatbots/${bot.id}/config`, { token: user.token });
    expect(config.body).toMatchObject({ welcomeMessage: '¡Hola!', knowledgeBaseIds: [kbId] });
    expect(config.body.id).toBeUndefined();
    const deployed = await api.call('POST', `/api/v1/chatbots/${bot.id}/deploy`, { token: user.token });
    expect(deployed.body).toMatchObject({ status: 'active' });
    expect(deployed.body.deployedAt).toBeTruthy();
    const paused = await api.call('PUT', `/api/v1/chatbots/${bot.id}`, { token: user.token, body: { status: 'inactive' } });
    expect(paused.body.status).toBe('inactive');
  });

  it('rejects unknown models, foreign knowledge bases and malformed origins', async () => {
    const { user, bot } = await setup();
    const other = await setup();
    const model = await api.call('PUT', `/api/v1/chatbots/${bot.id}/config`, { token: user.token, body: { model: 'openai:gpt-4o' } });
    expect(model.status, 'no OpenAI key here').toBe(400);
    const kb = await api.call('PUT', `/api/v1/chatbots/${bot.id}/config`, { token: user.token, body: { knowledgeBaseIds: [other.kbId] } });
    expect(kb.status, kb.text).toBe(422);
    const origin = await api.call('PUT', `/api/v1/chatbots/${bot.id}/config`, { token: user.token, body: { allowedOrigins: ['https://shop.example.com/path'] } });
    expect(origin.status).toBe(422);
    const models = await api.call('GET', '/api/v1/models', { token: user.token });
    expect(models.body.data.filter((m: { available: boolean }) => m.available).map((m: { id: string }) => m.id)).toEqual([
      'builtin:extractive',
      'compatible:fake-llm',
      'compatible:broken-llm',
    ]);
  });
});
