import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversations, messages } from '../../db/schema';
import { parseSse, startFakeOpenAI, type FakeOpenAI } from '../testing/fake-openai';
import { createTestApi, type TestApi, type TestUser } from '../testing/harness';

let api: TestApi;
let llm: FakeOpenAI;

beforeAll(async () => {
  llm = await startFakeOpenAI();
  // The fake provider is on loopback, which an organization's base URL may reach only with ALLOW_PRIVATE_URLS.
  api = await createTestApi({ env: { COMPATIBLE_BASE_URL: llm.url, COMPATIBLE_MODELS: 'fake-llm,broken-llm', ALLOW_PRIVATE_URLS: 'true' } });
});
afterAll(async () => {
  await api.close();
  await llm.close();
});

async function setup(botOverrides: Record<string, unknown> = {}) {
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

async function playground(user: TestUser, botId: string, message: string, conversationId?: string) {
  const res = await api.call('POST', `/api/v1/chatbots/${botId}/test`, { token: user.token, body: { message, conversationId } });
  expect(res.status, res.text).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const events = parseSse(res.raw);
  const done = events.find((e) => e.event === 'done')?.data;
  return { events, done, text: events.filter((e) => e.event === 'token').map((e) => e.data.text).join('') };
}

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

describe('chat engine through the playground', () => {
  it('the built-in answerer quotes the knowledge base with a citation and stores the answer', async () => {
    const { user, bot } = await setup();
    const { events, done, text } = await playground(user, bot.id, '¿Cuál es el plazo de devolución?');
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['message', 'sources', 'token', 'done']));
    expect(events[0].event).toBe('message');
    expect(text).toContain('30 días');
    // The answer is the sentence itself; the passage it came from is its one cited source.
    expect(text).not.toMatch(/\[1\]|Devoluciones/);
    expect(done.message).toMatchObject({ role: 'assistant', model: 'builtin:extractive', content: text });
    expect(done.message.sources[0]).toMatchObject({ title: 'Devoluciones', cited: true });
    expect(done.message.latencyMs).toBeGreaterThanOrEqual(0);
    const [row] = await api.runtime.services.db.select().from(messages).where(eq(messages.id, done.message.id));
    expect(row.sources).toHaveLength(done.message.sources.length);
  });

  it('answers with the fallback message when nothing in the knowledge base matches', async () => {
    const { user, bot } = await setup({ fallbackMessage: 'No lo sé, te paso con una persona.' });
    const { done } = await playground(user, bot.id, 'xyzzy plugh quux');
    expect(done.message).toMatchObject({ content: 'No lo sé, te paso con una persona.', isFallback: true });
  });

  it('streams a model answer with the context in its prompt, and remembers the conversation', async () => {
    const { user, bot } = await setup({ model: 'compatible:fake-llm', systemPrompt: 'Eres el asistente de Tienda Sol.' });
    llm.reply = () => 'El plazo es de 30 días [1].';
    const first = await playground(user, bot.id, '¿Plazo de devolución?');
    expect(first.text).toBe('El plazo es de 30 días [1].');
    expect(first.events.filter((e) => e.event === 'token').length).toBeGreaterThan(3);
    expect(first.done.message).toMatchObject({ model: 'compatible:fake-llm', outputTokens: expect.any(Number), inputTokens: expect.any(Number) });
    expect(first.done.message.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    const request = llm.requests.at(-1)!;
    const system = request.messages.find((m) => m.role === 'system')!.content;
    expect(system).toContain('Eres el asistente de Tienda Sol.');
    expect(system).toContain('[1]');
    expect(system).toContain('30 días naturales');

    llm.reply = () => 'Siete días.';
    await playground(user, bot.id, '¿Y a Canarias?', first.done.conversationId);
    const followUp = llm.requests.at(-1)!;
    expect(followUp.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(followUp.messages[2].content).toBe('El plazo es de 30 días [1].');
  });

  it('tries the fallback model when the model fails, and the fallback message when both do', async () => {
    const { user, bot } = await setup({ model: 'compatible:broken-llm', fallbackModel: 'compatible:fake-llm', fallbackMessage: 'Ahora no puedo responder.' });
    llm.failing.add('broken-llm');
    llm.reply = () => 'Respuesta del modelo de reserva.';
    const saved = await playground(user, bot.id, '¿Plazo de devolución?');
    expect(saved.done.message).toMatchObject({ content: 'Respuesta del modelo de reserva.', model: 'compatible:fake-llm' });

    llm.failing.add('fake-llm');
    try {
      const failed = await playground(user, bot.id, '¿Plazo de devolución?');
      expect(failed.events.some((e) => e.event === 'error')).toBe(true);
      expect(failed.done.message).toMatchObject({ content: 'Ahora no puedo responder.', isFallback: true });
      const [row] = await api.runtime.services.db.select().from(messages).where(eq(messages.id, failed.done.message.id));
      expect(row.error).toBeTruthy();
    } finally {
      llm.failing.clear();
    }
  });

  it('auto bots give their fixed reply; a bot that goes quiet outside business hours sends the out-of-hours message', async () => {
    const auto = await setup({ type: 'auto', autoReply: 'Gracias, te contestamos por email.' });
    expect((await playground(auto.user, auto.bot.id, 'hola')).done.message.content).toBe('Gracias, te contestamos por email.');

    const closed = await setup({ outOfHoursMessage: 'Estamos cerrados.' });
    // The default: business hours govern people, the assistant answers around the clock.
    expect(closed.bot.answerOutsideHours).toBe(true);
    const notToday = (new Date().getUTCDay() + 3) % 7;
    await api.call('POST', `/api/v1/chatbots/${closed.bot.id}/schedules`, { token: closed.user.token, body: { weekday: notToday, opensAt: '09:00', closesAt: '10:00' } });
    expect((await playground(closed.user, closed.bot.id, '¿Plazo de devolución?')).text).toContain('30 días');
    await api.call('PUT', `/api/v1/chatbots/${closed.bot.id}/config`, { token: closed.user.token, body: { answerOutsideHours: false } });
    expect((await playground(closed.user, closed.bot.id, '¿Plazo de devolución?')).done.message.content).toBe('Estamos cerrados.');
  });

  it('outside business hours a visitor who asks for a person learns when the team is back and waits in the queue', async () => {
    const { user, bot } = await setup({ language: 'es' });
    await api.call('POST', `/api/v1/chatbots/${bot.id}/deploy`, { token: user.token });
    const notToday = (new Date().getUTCDay() + 3) % 7;
    await api.call('POST', `/api/v1/chatbots/${bot.id}/schedules`, { token: user.token, body: { weekday: notToday, opensAt: '09:00', closesAt: '10:00' } });
    const session = await api.call('POST', `/api/v1/widget/${bot.id}/session`, { body: {} });
    expect(session.status, session.text).toBe(200);
    const auth = { authorization: `Bearer ${session.body.sessionToken}` };
    const answered = await api.call('POST', `/api/v1/widget/${bot.id}/chat`, { headers: auth, body: { message: '¿Plazo de devolución?' } });
    expect(parseSse(answered.raw).find((e) => e.event === 'done')!.data.message.content).toContain('30 días');

    const human = await api.call('POST', `/api/v1/widget/${bot.id}/chat`, { headers: auth, body: { message: 'Quiero hablar con una persona' } });
    const reply = parseSse(human.raw).find((e) => e.event === 'done')!.data.message.content as string;
    expect(reply).toMatch(/vuelve (hoy|mañana|el \S+) a las 9:00/);
    const [row] = await api.runtime.services.db.select().from(conversations).where(eq(conversations.id, session.body.conversationId));
    expect(row.handoff).toBe('requested');
  });

  it('stays silent while a human has taken over the conversation', async () => {
    const { user, bot } = await setup();
    const first = await playground(user, bot.id, 'hola');
    await api.runtime.services.db.update(conversations).set({ handoff: 'human' }).where(eq(conversations.id, first.done.conversationId));
    const second = await playground(user, bot.id, '¿Plazo de devolución?', first.done.conversationId);
    expect(second.done).toMatchObject({ message: null });
    expect(second.events.some((e) => e.event === 'token')).toBe(false);
    const stored = await api.runtime.services.db.select().from(messages).where(eq(messages.conversationId, first.done.conversationId));
    expect(stored.filter((m) => m.role === 'user')).toHaveLength(2);
  });
});

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
      const test = await playground(owner, bot.body.id, 'hola');
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
