import { expect } from 'vitest';
import { parseSse, startFakeOpenAI, type FakeOpenAI } from './fake-openai';
import { createTestApi, type TestApi, type TestUser } from './harness';

/**
 * The chatbot tests' world: the app with a fake OpenAI-compatible provider on loopback (which an
 * organization's base URL may reach only with ALLOW_PRIVATE_URLS), offering `fake-llm` and
 * `broken-llm`.
 */
export async function startBotTestApi(): Promise<{ api: TestApi; llm: FakeOpenAI; close(): Promise<void> }> {
  const llm = await startFakeOpenAI();
  const api = await createTestApi({ env: { COMPATIBLE_BASE_URL: llm.url, COMPATIBLE_MODELS: 'fake-llm,broken-llm', ALLOW_PRIVATE_URLS: 'true' } });
  return {
    api,
    llm,
    async close() {
      await api.close();
      await llm.close();
    },
  };
}

/** A user with an organization, a knowledge base holding one returns/shipping article, and a bot on it. */
export async function botWithKnowledge(api: TestApi, botOverrides: Record<string, unknown> = {}): Promise<{ user: TestUser; kbId: string; bot: any }> {
  const user = await api.signUp();
  await api.createOrg(user);
  const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: user.token, body: { name: 'Ayuda' } });
  await api.call('POST', `/api/v1/knowledge-bases/${kb.body.id}/documents`, {
    token: user.token,
    body: { type: 'text', name: 'Devoluciones', text: '# Devoluciones\n\nEl plazo de devolución es de 30 días naturales desde la entrega.\n\n# Envíos\n\nLos envíos a Canarias tardan siete días.' },
  });
  await api.runtime.queue.drain();
  const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Soporte', knowledgeBaseIds: [kb.body.id], model: 'builtin:extractive', ...botOverrides } });
  expect(bot.status, bot.text).toBe(201);
  return { user, kbId: kb.body.id as string, bot: bot.body };
}

/** One playground turn (POST /chatbots/{id}/test): its SSE events, the `done` event's data and the streamed text. */
export async function playground(api: TestApi, user: TestUser, botId: string, message: string, conversationId?: string) {
  const res = await api.call('POST', `/api/v1/chatbots/${botId}/test`, { token: user.token, body: { message, conversationId } });
  expect(res.status, res.text).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const events = parseSse(res.raw);
  const done = events.find((e) => e.event === 'done')?.data;
  return { events, done, text: events.filter((e) => e.event === 'token').map((e) => e.data.text).join('') };
}
