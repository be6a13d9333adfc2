import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playground, startBotTestApi } from '../testing/bots';
import { parseSse, startFakeOpenAI, type FakeOpenAI } from '../testing/fake-openai';
import { createTestApi, type TestApi, type TestUser } from '../testing/harness';

let api: TestApi;
let llm: FakeOpenAI;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ api, llm, close } = await startBotTestApi());
});
afterAll(() => close());

describe("an organization's own provider keys", () => {
  it('are checked with the provider when saved: a rejected key or an unreachable server is refused with the reason', async () => {
    const owner = await api.signUp();
    await api.createOrg(owner);
    llm.invalidKeys.add('sk-wrong-0000');
    try {
      const wrong = await api.call('PUT', '/api/v1/provider-keys/openai', { token: owner.token, body: { apiKey: 'sk-wrong-0000', baseUrl: llm.url } });
      expect(wrong.status, wrong.text).toBe(422);
      expect(wrong.body.error.details).toEqual([expect.objectContaining({ path: 'apiKey', code: 'invalid_key' })]);
      expect((await api.call('GET', '/api/v1/provider-keys', { token: owner.token })).body.data).toEqual([]);

      const closed = await startFakeOpenAI();
      await closed.close();
      const down = await api.call('PUT', '/api/v1/provider-keys/compatible', { token: owner.token, body: { apiKey: 'x', baseUrl: closed.url, models: ['m'] } });
      expect(down.status, down.text).toBe(422);
      expect(down.body.error.details).toEqual([expect.objectContaining({ path: 'baseUrl', code: 'unreachable' })]);

      const good = await api.call('PUT', '/api/v1/provider-keys/openai', { token: owner.token, body: { apiKey: 'sk-good-1111', baseUrl: llm.url } });
      expect(good.status, good.text).toBe(200);
      expect(good.body).toMatchObject({ provider: 'openai', keyHint: '…1111', check: { status: 'verified' } });
    } finally {
      llm.invalidKeys.delete('sk-wrong-0000');
    }
  });

  it('when a saved key stops working, the playground and the conversation say why; the visitor only gets the fallback', async () => {
    const owner = await api.signUp();
    await api.createOrg(owner);
    const saved = await api.call('PUT', '/api/v1/provider-keys/openai', { token: owner.token, body: { apiKey: 'sk-revoked-2222', baseUrl: llm.url } });
    expect(saved.status, saved.text).toBe(200);
    const bot = await api.call('POST', '/api/v1/chatbots', { token: owner.token, body: { name: 'Clave', model: 'openai:gpt-4o-mini', answerOnlyFromKnowledge: false, fallbackMessage: 'Ahora no puedo responder.' } });
    expect(bot.status, bot.text).toBe(201);
    await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: owner.token });
    llm.invalidKeys.add('sk-revoked-2222');
    try {
      const test = await playground(api, owner, bot.body.id, 'hola');
      expect(test.events.find((e) => e.event === 'error')?.data).toMatchObject({ code: 'model_unavailable', reason: 'invalid_key' });
      expect(test.done.message.content).toBe('Ahora no puedo responder.');

      const session = await api.call('POST', `/api/v1/widget/${bot.body.id}/session`, { body: {} });
      const chat = await api.call('POST', `/api/v1/widget/${bot.body.id}/chat`, { headers: { authorization: `Bearer ${session.body.sessionToken}` }, body: { message: 'hola' } });
      const events = parseSse(chat.raw);
      expect(events.find((e) => e.event === 'error')?.data.reason).toBeUndefined();
      expect(events.find((e) => e.event === 'done')!.data.message.content).toBe('Ahora no puedo responder.');
      const detail = await api.call('GET', `/api/v1/conversations/${session.body.conversationId}`, { token: owner.token });
      expect(detail.status, detail.text).toBe(200);
      const failed = detail.body.messages.find((m: { role: string }) => m.role === 'assistant');
      // The fallback also offers a person (its quick replies); the reason rides along.
      expect(failed.metadata).toMatchObject({ modelFailure: 'invalid_key' });
    } finally {
      llm.invalidKeys.delete('sk-revoked-2222');
    }
  });

  it('unlock models for that organization only, are used for its bots, and are never returned', async () => {
    // The fake server is on loopback, which an organization's base URL may reach only with ALLOW_PRIVATE_URLS.
    const plain = await createTestApi({ env: { ALLOW_PRIVATE_URLS: 'true' } });
    try {
      const owner = await plain.signUp();
      await plain.createOrg(owner);
      const stranger = await plain.signUp();
      await plain.createOrg(stranger);
      const before = await plain.call('GET', '/api/v1/models', { token: owner.token });
      expect(before.body.data.filter((m: { available: boolean }) => m.available).map((m: { id: string }) => m.id)).toEqual(['builtin:extractive']);

      const incomplete = await plain.call('PUT', '/api/v1/provider-keys/compatible', { token: owner.token, body: { apiKey: 'sk-local' } });
      expect(incomplete.status).toBe(422);
      const saved = await plain.call('PUT', '/api/v1/provider-keys/compatible', {
        token: owner.token,
        body: { apiKey: 'sk-org-secret-1234', baseUrl: llm.url, models: ['fake-llm'] },
      });
      expect(saved.status, saved.text).toBe(200);
      expect(saved.body).toMatchObject({ provider: 'compatible', keyHint: '…1234', models: ['fake-llm'] });
      const listed = await plain.call('GET', '/api/v1/provider-keys', { token: owner.token });
      expect(listed.text).not.toContain('sk-org-secret');

      const after = await plain.call('GET', '/api/v1/models', { token: owner.token });
      expect(after.body.data.find((m: { id: string }) => m.id === 'compatible:fake-llm')).toMatchObject({ available: true });
      expect(after.body.defaultModel).toBe('compatible:fake-llm');
      const others = await plain.call('GET', '/api/v1/models', { token: stranger.token });
      expect(others.body.data.some((m: { id: string }) => m.id === 'compatible:fake-llm')).toBe(false);

      const bot = await plain.call('POST', '/api/v1/chatbots', { token: owner.token, body: { name: 'Con clave propia', answerOnlyFromKnowledge: false } });
      expect(bot.body.model).toBe('compatible:fake-llm');
      llm.reply = () => 'Respuesta con la clave de la organización.';
      const res = await plain.call('POST', `/api/v1/chatbots/${bot.body.id}/test`, { token: owner.token, body: { message: 'hola' } });
      const done = parseSse(res.raw).find((e) => e.event === 'done')!.data;
      expect(done.message).toMatchObject({ content: 'Respuesta con la clave de la organización.', model: 'compatible:fake-llm' });

      const foreign = await plain.call('POST', '/api/v1/chatbots', { token: stranger.token, body: { name: 'x', model: 'compatible:fake-llm' } });
      expect(foreign.status).toBe(400);
      expect((await plain.call('DELETE', '/api/v1/provider-keys/compatible', { token: owner.token })).status).toBe(204);
      const gone = await plain.call('POST', `/api/v1/chatbots/${bot.body.id}/test`, { token: owner.token, body: { message: 'hola' } });
      expect(parseSse(gone.raw).find((e) => e.event === 'done')!.data.message.isFallback).toBe(true);
    } finally {
      await plain.close();
    }
  });
});
