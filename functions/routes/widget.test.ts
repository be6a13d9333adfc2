import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversations, messages } from '../../db/schema';
import { identityHash } from '../core/chat/widget-session';
import { parseSse } from '../testing/fake-openai';
import { createTestApi, type TestApi } from '../testing/harness';
import { openSse } from '../testing/sse-client';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi({ env: { WIDGET_MESSAGES_PER_SESSION: '4', EVENTS_POLL_MS: '50', EVENTS_STREAM_SECONDS: '20' } });
});
afterAll(() => api.close());

async function liveBot(settings: Record<string, unknown> = {}) {
  const user = await api.signUp();
  await api.createOrg(user);
  const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: user.token, body: { name: 'Ayuda' } });
  await api.call('POST', `/api/v1/knowledge-bases/${kb.body.id}/documents`, {
    token: user.token,
    body: { type: 'text', name: 'Horario', text: 'La tienda abre de lunes a sábado de 10:00 a 20:00.' },
  });
  await api.runtime.queue.drain();
  const bot = await api.call('POST', '/api/v1/chatbots', {
    token: user.token,
    body: { name: 'Sol', model: 'builtin:extractive', knowledgeBaseIds: [kb.body.id], welcomeMessage: '¡Hola! ¿En qué te ayudo?', ...settings },
  });
  return { user, bot: bot.body as { id: string } };
}

async function deploy(user: { token: string }, botId: string) {
  const res = await api.call('POST', `/api/v1/chatbots/${botId}/deploy`, { token: user.token });
  expect(res.status, res.text).toBe(200);
}

const w = (botId: string, path: string) => `/api/v1/widget/${botId}${path}`;

async function newSession(botId: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const res = await api.call('POST', w(botId, '/session'), { body, headers });
  expect(res.status, res.text).toBe(200);
  return res.body as { sessionToken: string; conversationId: string; contact: { verified: boolean; name: string | null }; messages: Array<{ id: string; role: string; content: string }> };
}

describe('public widget API', () => {
  it('answers only for active bots', async () => {
    const { user, bot } = await liveBot();
    const draft = await api.call('GET', w(bot.id, '/config'), { headers: { origin: 'https://shop.example.com' } });
    expect(draft.status).toBe(404);
    // The embedding page can read the 404, so the widget reports "not available", not a network error.
    expect(draft.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    await deploy(user, bot.id);
    const config = await api.call('GET', w(bot.id, '/config'));
    expect(config.status, config.text).toBe(200);
    expect(config.body).toMatchObject({ botId: bot.id, name: 'Sol', welcomeMessage: '¡Hola! ¿En qué te ayudo?', online: true });
    expect(config.text).not.toContain('identitySecret');
    expect((await api.call('GET', w(bot.id, '/status'))).body).toEqual({ status: 'active', online: true });
    expect((await api.call('GET', w(crypto.randomUUID(), '/config'))).status).toBe(404);
  });

  it('enforces the allowed origins and answers CORS for them only', async () => {
    const { user, bot } = await liveBot({ allowedOrigins: ['https://shop.example.com'] });
    await deploy(user, bot.id);
    const ok = await api.call('GET', w(bot.id, '/config'), { headers: { origin: 'https://shop.example.com' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    const evil = await api.call('GET', w(bot.id, '/config'), { headers: { origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${api.baseUrl}${w(bot.id, '/chat')}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  });

  it('a visitor chats, the answer streams with a source, and the session resumes with its history', async () => {
    const { user, bot } = await liveBot();
    await deploy(user, bot.id);
    const session = await newSession(bot.id);
    expect(session.messages).toEqual([]);
    const chat = await api.call('POST', w(bot.id, '/chat'), { headers: { authorization: `Bearer ${session.sessionToken}` }, body: { message: '¿A qué hora abre la tienda?' } });
    expect(chat.status, chat.text).toBe(200);
    const events = parseSse(chat.raw);
    const done = events.find((e) => e.event === 'done')!.data;
    expect(done.message.content).toContain('10:00');
    expect(done.message.sources).toEqual([expect.objectContaining({ title: 'Horario' })]);
    expect(done.message.sources[0].cited).toBeUndefined();

    const resumed = await newSession(bot.id, { sessionToken: session.sessionToken });
    expect(resumed.conversationId).toBe(session.conversationId);
    expect(resumed.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    const history = await api.call('GET', w(bot.id, '/messages'), { headers: { authorization: `Bearer ${session.sessionToken}` } });
    expect(history.body.data).toHaveLength(2);

    const feedback = await api.call('POST', w(bot.id, '/feedback'), { headers: { authorization: `Bearer ${session.sessionToken}` }, body: { messageId: done.message.id, value: 1 } });
    expect(feedback.status, feedback.text).toBe(204);
    const rating = await api.call('POST', w(bot.id, '/rating'), { headers: { authorization: `Bearer ${session.sessionToken}` }, body: { rating: 5, comment: 'Genial' } });
    expect(rating.status).toBe(204);
    const [conversation] = await api.runtime.services.db.select().from(conversations).where(eq(conversations.id, session.conversationId));
    expect(conversation).toMatchObject({ rating: 5, feedback: 'Genial', channel: 'web', messageCount: 2 });
    const [answer] = await api.runtime.services.db.select().from(messages).where(eq(messages.id, done.message.id));
    expect(answer.feedback).toBe(1);

    // The team sees it through the API: the conversation, its rating, and every message.
    const list = await api.call('GET', `/api/v1/chatbots/${bot.id}/conversations`, { token: user.token });
    expect(list.body.data).toMatchObject([{ id: session.conversationId, rating: 5, channel: 'web', messageCount: 2 }]);
    const detail = await api.call('GET', `/api/v1/conversations/${session.conversationId}`, { token: user.token });
    expect(detail.body.messages.map((m: { role: string; feedback: number | null }) => [m.role, m.feedback])).toEqual([
      ['user', null],
      ['assistant', 1],
    ]);
    expect(detail.body.messages[1].sources[0]).toMatchObject({ title: 'Horario' });
  });

  it('refuses missing, foreign and forged sessions', async () => {
    const a = await liveBot();
    const b = await liveBot();
    await deploy(a.user, a.bot.id);
    await deploy(b.user, b.bot.id);
    const sessionB = await newSession(b.bot.id);
    const noToken = await api.call('POST', w(a.bot.id, '/chat'), { body: { message: 'hola' } });
    expect(noToken.status).toBe(401);
    const foreign = await api.call('POST', w(a.bot.id, '/chat'), { headers: { authorization: `Bearer ${sessionB.sessionToken}` }, body: { message: 'hola' } });
    expect(foreign.status).toBe(401);
    const forged = await api.call('POST', w(a.bot.id, '/chat'), { headers: { authorization: `Bearer ${a.user.token}` }, body: { message: 'hola' } });
    expect(forged.status).toBe(401);
    const resume = await api.call('POST', w(a.bot.id, '/session'), { body: { sessionToken: sessionB.sessionToken } });
    expect(resume.status).toBe(401);
    // Feedback cannot touch another conversation's messages.
    const sessionA = await newSession(a.bot.id);
    const chat = parseSse((await api.call('POST', w(b.bot.id, '/chat'), { headers: { authorization: `Bearer ${sessionB.sessionToken}` }, body: { message: 'horario' } })).raw);
    const messageOfB = chat.find((e) => e.event === 'done')!.data.message.id;
    const cross = await api.call('POST', w(a.bot.id, '/feedback'), { headers: { authorization: `Bearer ${sessionA.sessionToken}` }, body: { messageId: messageOfB, value: -1 } });
    expect(cross.status).toBe(404);
  });

  it('verifies identities signed with the bot secret; unsigned ones stay unverified', async () => {
    const { user, bot } = await liveBot();
    await deploy(user, bot.id);
    const { secret } = (await api.call('GET', `/api/v1/chatbots/${bot.id}/identity-secret`, { token: user.token })).body;
    const signed = await newSession(bot.id, { identity: { id: 'cust-42', name: 'Marta', email: 'marta@example.com', hash: await identityHash(secret, 'cust-42') } });
    expect(signed.contact).toMatchObject({ verified: true, name: 'Marta' });
    const again = await newSession(bot.id, { identity: { id: 'cust-42', hash: await identityHash(secret, 'cust-42') } });
    expect(again.conversationId).not.toBe(signed.conversationId);
    const spoofed = await newSession(bot.id, { identity: { id: 'cust-42', name: 'Impostor', hash: 'deadbeef' } });
    expect(spoofed.contact.verified).toBe(false);
  });

  it('validates the pre-chat form, message length and rate limits', async () => {
    const { user, bot } = await liveBot({ preChatForm: [{ key: 'email', label: 'Email', type: 'email', required: true }] });
    await deploy(user, bot.id);
    const missing = await api.call('POST', w(bot.id, '/session'), { body: { preChat: { email: '' } } });
    expect(missing.status, missing.text).toBe(422);
    const session = await newSession(bot.id, { preChat: { email: 'ana@example.com' } });
    expect(session.contact).toMatchObject({ name: null });
    const auth = { authorization: `Bearer ${session.sessionToken}` };
    const long = await api.call('POST', w(bot.id, '/chat'), { headers: auth, body: { message: 'x'.repeat(2001) } });
    expect(long.status).toBe(422);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await api.call('POST', w(bot.id, '/chat'), { headers: auth, body: { message: `hola ${i}` } })).status);
    // Four a minute in tests: the refused long message counted too (the limits are hit before the
    // body is read, in the same KV round trip as the bot lookup).
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});

describe('the offer of a person', () => {
  async function visitorOf(botId: string) {
    const session = await newSession(botId);
    const auth = { authorization: `Bearer ${session.sessionToken}` };
    return {
      ...session,
      async say(message: string, quickReply?: string) {
        const chat = await api.call('POST', w(botId, '/chat'), { headers: auth, body: { message, ...(quickReply ? { quickReply } : {}) } });
        expect(chat.status, chat.text).toBe(200);
        return parseSse(chat.raw).find((e) => e.event === 'done')!.data.message as { content: string; quickReplies?: Array<{ id: string; label: string }> };
      },
    };
  }

  async function handoffOf(conversationId: string) {
    const [row] = await api.runtime.services.db.select({ handoff: conversations.handoff, reason: conversations.handoffReason }).from(conversations).where(eq(conversations.id, conversationId));
    return row;
  }

  async function gapQuestions(user: { token: string }) {
    const gaps = await api.call('GET', '/api/v1/analytics/knowledge-gaps', { token: user.token });
    expect(gaps.status, gaps.text).toBe(200);
    return (gaps.body.data as Array<{ question: string }>).map((g) => g.question);
  }

  it('"Sí" to the fallback\u2019s offer hands off: event published, not a knowledge gap', async () => {
    const { user, bot } = await liveBot();
    await deploy(user, bot.id);
    const dashboard = await openSse(`${api.baseUrl}/api/v1/events`, { authorization: `Bearer ${user.token}` });
    await dashboard.waitFor((e) => e.event === 'ready');
    const v = await visitorOf(bot.id);

    const offer = await v.say('xyzzy plugh quux');
    expect(offer.content).toMatch(/¿Quieres que te atienda una persona\?/);
    expect(offer.quickReplies).toEqual([
      { id: 'handoff.yes', label: 'Sí, con una persona' },
      { id: 'handoff.no', label: 'No, gracias' },
    ]);

    const yes = await v.say('¡Sí!');
    expect(yes.content).toMatch(/persona del equipo/);
    expect(yes.quickReplies).toBeUndefined();
    expect(await handoffOf(v.conversationId)).toEqual({ handoff: 'requested', reason: 'visitor_request' });
    const handoff = await dashboard.waitFor((e) => e.event === 'conversation.handoff');
    expect(handoff.data.data).toMatchObject({ conversationId: v.conversationId, reason: 'visitor_request' });
    dashboard.close();

    const questions = await gapQuestions(user);
    expect(questions).toContain('xyzzy plugh quux');
    expect(questions).not.toContain('¡Sí!');
  });

  it('a tapped button says yes by its id; "no, gracias" gets a polite reply and the bot keeps the conversation', async () => {
    const { user, bot } = await liveBot();
    await deploy(user, bot.id);

    const tapper = await visitorOf(bot.id);
    await tapper.say('xyzzy plugh quux');
    expect((await tapper.say('Sí, con una persona', 'handoff.yes')).content).toMatch(/persona del equipo/);
    expect(await handoffOf(tapper.conversationId)).toMatchObject({ handoff: 'requested' });

    const declines = await visitorOf(bot.id);
    await declines.say('xyzzy plugh quux');
    expect((await declines.say('no, gracias')).content).toBe('De acuerdo. Si necesitas algo más, escríbeme por aquí.');
    expect(await handoffOf(declines.conversationId)).toMatchObject({ handoff: 'bot' });
    // The offer was answered: a later "vale" is an ordinary message, not a yes to it.
    expect((await declines.say('vale')).content).not.toMatch(/persona del equipo/);
    expect(await handoffOf(declines.conversationId)).toMatchObject({ handoff: 'bot' });
    expect(await gapQuestions(user)).not.toContain('no, gracias');
  });

  it('"sí" with no offer before it is just a message', async () => {
    const { user, bot } = await liveBot();
    await deploy(user, bot.id);
    const v = await visitorOf(bot.id);
    expect((await v.say('¿A qué hora abre la tienda?')).content).toContain('10:00');
    await v.say('sí');
    expect(await handoffOf(v.conversationId)).toMatchObject({ handoff: 'bot' });
  });
});
