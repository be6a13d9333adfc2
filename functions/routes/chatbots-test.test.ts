import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversations, messages } from '../../db/schema';
import { botWithKnowledge, playground, startBotTestApi } from '../testing/bots';
import { parseSse, type FakeOpenAI } from '../testing/fake-openai';
import type { TestApi, TestUser } from '../testing/harness';

let api: TestApi;
let llm: FakeOpenAI;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ api, llm, close } = await startBotTestApi());
});
afterAll(() => close());

const setup = (botOverrides: Record<string, unknown> = {}) => botWithKnowledge(api, botOverrides);

describe('chat engine through the playground', () => {
  it('the built-in answerer quotes the knowledge base with a citation and stores the answer', async () => {
    const { user, bot } = await setup();
    const { events, done, text } = await playground(api, user, bot.id, '¿Cuál es el plazo de devolución?');
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
    const { done } = await playground(api, user, bot.id, 'xyzzy plugh quux');
    expect(done.message).toMatchObject({ content: 'No lo sé, te paso con una persona.', isFallback: true });
  });

  it('streams a model answer with the context in its prompt, and remembers the conversation', async () => {
    const { user, bot } = await setup({ model: 'compatible:fake-llm', systemPrompt: 'Eres el asistente de Tienda Sol.' });
    llm.reply = () => 'El plazo es de 30 días [1].';
    const first = await playground(api, user, bot.id, '¿Plazo de devolución?');
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
    await playground(api, user, bot.id, '¿Y a Canarias?', first.done.conversationId);
    const followUp = llm.requests.at(-1)!;
    expect(followUp.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(followUp.messages[2].content).toBe('El plazo es de 30 días [1].');
  });

  it('tries the fallback model when the model fails, and the fallback message when both do', async () => {
    const { user, bot } = await setup({ model: 'compatible:broken-llm', fallbackModel: 'compatible:fake-llm', fallbackMessage: 'Ahora no puedo responder.' });
    llm.failing.add('broken-llm');
    llm.reply = () => 'Respuesta del modelo de reserva.';
    const saved = await playground(api, user, bot.id, '¿Plazo de devolución?');
    expect(saved.done.message).toMatchObject({ content: 'Respuesta del modelo de reserva.', model: 'compatible:fake-llm' });

    llm.failing.add('fake-llm');
    try {
      const failed = await playground(api, user, bot.id, '¿Plazo de devolución?');
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
    expect((await playground(api, auto.user, auto.bot.id, 'hola')).done.message.content).toBe('Gracias, te contestamos por email.');

    const closed = await setup({ outOfHoursMessage: 'Estamos cerrados.' });
    // The default: business hours govern people, the assistant answers around the clock.
    expect(closed.bot.answerOutsideHours).toBe(true);
    const notToday = (new Date().getUTCDay() + 3) % 7;
    await api.call('POST', `/api/v1/chatbots/${closed.bot.id}/schedules`, { token: closed.user.token, body: { weekday: notToday, opensAt: '09:00', closesAt: '10:00' } });
    expect((await playground(api, closed.user, closed.bot.id, '¿Plazo de devolución?')).text).toContain('30 días');
    await api.call('PUT', `/api/v1/chatbots/${closed.bot.id}/config`, { token: closed.user.token, body: { answerOutsideHours: false } });
    expect((await playground(api, closed.user, closed.bot.id, '¿Plazo de devolución?')).done.message.content).toBe('Estamos cerrados.');
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
    const first = await playground(api, user, bot.id, 'hola');
    await api.runtime.services.db.update(conversations).set({ handoff: 'human' }).where(eq(conversations.id, first.done.conversationId));
    const second = await playground(api, user, bot.id, '¿Plazo de devolución?', first.done.conversationId);
    expect(second.done).toMatchObject({ message: null });
    expect(second.events.some((e) => e.event === 'token')).toBe(false);
    const stored = await api.runtime.services.db.select().from(messages).where(eq(messages.conversationId, first.done.conversationId));
    expect(stored.filter((m) => m.role === 'user')).toHaveLength(2);
  });
});
