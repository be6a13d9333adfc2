import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import telegramFixtures from '../core/channels/fixtures/telegram.json';
import { parseSse } from '../testing/fake-openai';
import { startFakePlatforms, type FakePlatforms } from '../testing/fake-platforms';
import { createTestApi, type TestApi } from '../testing/harness';
import { createTeam, type Team } from '../testing/inbox';
import { and, eq } from 'drizzle-orm';
import { flowSessions, messages } from '../../db/schema';
import { watchStatements } from '../adapters/local/priority';

/**
 * Flows in production: published entry flows answering on the widget and on a channel, through
 * the real app over HTTP; an orders API on loopback (reachable with ALLOW_PRIVATE_URLS).
 */
let api: TestApi;
let fake: FakePlatforms;
let orders: Server;
let ordersUrl: string;
const ordersSeen: Array<{ url: string; auth: string | undefined }> = [];

beforeAll(async () => {
  fake = await startFakePlatforms();
  orders = createServer((req: IncomingMessage, res) => {
    ordersSeen.push({ url: req.url ?? '', auth: req.headers.authorization });
    if (req.url?.includes('broken')) {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ order: { status: 'shipped' } }));
  });
  await new Promise<void>((done) => orders.listen(0, '127.0.0.1', done));
  ordersUrl = `http://127.0.0.1:${(orders.address() as AddressInfo).port}`;
  api = await createTestApi({ env: { TELEGRAM_API_URL: fake.url, ALLOW_PRIVATE_URLS: 'true', CHANNEL_RETRY_BASE_SECONDS: '0' } });
});
afterAll(async () => {
  await api.close();
  await fake.close();
  await new Promise((done) => orders.close(done));
});

const pos = { x: 0, y: 0 };

async function publishFlow(team: Team, body: Record<string, unknown>) {
  const { token } = team.owner;
  const flow = await api.call('POST', `/api/v1/chatbots/${team.botId}/flows`, { token, body: { name: 'Flow', ...body } });
  expect(flow.status, flow.text).toBe(201);
  const published = await api.call('POST', `/api/v1/chatbots/${team.botId}/flows/${flow.body.id}/publish`, { token });
  expect(published.status, published.text).toBe(201);
  return flow.body.id as string;
}

async function visitor(botId: string) {
  const session = await api.call('POST', `/api/v1/widget/${botId}/session`, { body: {} });
  const headers = { authorization: `Bearer ${session.body.sessionToken}` };
  return {
    conversationId: session.body.conversationId as string,
    async say(message: string, quickReply?: string) {
      const res = await api.call('POST', `/api/v1/widget/${botId}/chat`, { headers, body: { message, ...(quickReply ? { quickReply } : {}) } });
      expect(res.status, res.text).toBe(200);
      return parseSse(res.raw).find((e) => e.event === 'done')!.data.message as { content: string; quickReplies?: Array<{ id: string; label: string }> } | null;
    },
  };
}

describe('flows at runtime', () => {
  it('captures a lead on the widget: buttons, a validated email with a retry, then the bot answers as usual', async () => {
    const team = await createTeam(api);
    const flowId = await publishFlow(team, { template: 'lead_capture' });
    const v = await visitor(team.botId);
    const asked = await v.say('hola');
    expect(asked!.content).toContain('¿Qué te interesa?');
    expect(asked!.quickReplies!.map((q) => q.label)).toEqual(['Una demo', 'Precios', 'Otra cosa']);
    expect((await v.say('Precios', 'pricing'))!.content).toBe('¿Cómo te llamas?');
    expect((await v.say('Ana'))!.content).toBe('¿Cuál es tu email, Ana?');
    expect((await v.say('ana at example'))!.content).toMatch(/email no parece válido/);
    expect((await v.say('ana@example.com'))!.content).toBe('¡Gracias, Ana! Te escribiremos a ana@example.com.');
    // The flow is done: the knowledge base answers the next question.
    expect((await v.say('¿Cuánto tardan los envíos?'))!.content).toContain('2 a 4 días');

    const analytics = await api.call('GET', `/api/v1/chatbots/${team.botId}/flows/${flowId}/analytics`, { token: team.owner.token });
    expect(analytics.status, analytics.text).toBe(200);
    expect(analytics.body.outcomes).toEqual({ completed: 1, handedOff: 0, abandoned: 0 });
    const reached = Object.fromEntries(analytics.body.nodes.map((n: { nodeId: string; reached: number }) => [n.nodeId, n.reached]));
    expect(reached).toMatchObject({ start: 1, interest: 1, name: 1, email: 1, notify: 1, end: 1 });
  });

  it('calls an API with a secret, and a failing call takes the error output', async () => {
    const team = await createTeam(api);
    await api.call('POST', '/api/v1/secrets', { token: team.owner.token, body: { name: 'ORDERS_TOKEN', value: 'tok-123' } });
    const document = {
      nodes: [
        { id: 'start', type: 'start', position: pos, data: {} },
        { id: 'order', type: 'input', position: pos, data: { prompt: '¿Número de pedido?', variable: 'order_id' } },
        {
          id: 'lookup',
          type: 'api_call',
          position: pos,
          data: { request: { url: `${ordersUrl}/orders/{{order_id}}`, auth: { kind: 'bearer', secret: 'ORDERS_TOKEN' }, timeoutMs: 2000 }, mapping: [{ variable: 'state', path: 'order.status' }] },
        },
        { id: 'ok', type: 'message', position: pos, data: { text: 'Tu pedido está: {{state}}' } },
        { id: 'ko', type: 'message', position: pos, data: { text: 'No he podido consultarlo.' } },
      ],
      edges: [
        { id: 'a', source: 'start', sourceHandle: 'next', target: 'order' },
        { id: 'b', source: 'order', sourceHandle: 'next', target: 'lookup' },
        { id: 'c', source: 'lookup', sourceHandle: 'success', target: 'ok' },
        { id: 'd', source: 'lookup', sourceHandle: 'error', target: 'ko' },
      ],
    };
    await publishFlow(team, { document });
    const good = await visitor(team.botId);
    await good.say('hola');
    expect((await good.say('A-1'))!.content).toBe('Tu pedido está: shipped');
    expect(ordersSeen.at(-1)).toEqual({ url: '/orders/A-1', auth: 'Bearer tok-123' });
    const bad = await visitor(team.botId);
    await bad.say('hola');
    expect((await bad.say('broken'))!.content).toBe('No he podido consultarlo.');
  });

  it('pauses while a person has the conversation and resumes when it is handed back', async () => {
    const team = await createTeam(api);
    const document = {
      nodes: [
        { id: 'start', type: 'start', position: pos, data: {} },
        { id: 'name', type: 'input', position: pos, data: { prompt: '¿Tu nombre?', variable: 'name' } },
        { id: 'hi', type: 'message', position: pos, data: { text: 'Encantado, {{name}}' } },
      ],
      edges: [
        { id: 'a', source: 'start', sourceHandle: 'next', target: 'name' },
        { id: 'b', source: 'name', sourceHandle: 'next', target: 'hi' },
      ],
    };
    await publishFlow(team, { document });
    const v = await visitor(team.botId);
    expect((await v.say('hola'))!.content).toBe('¿Tu nombre?');
    const { token } = team.owner;
    expect((await api.call('POST', `/api/v1/conversations/${v.conversationId}/takeover`, { token, body: {} })).status).toBe(200);
    expect(await v.say('Soy Ana')).toBeNull();
    expect((await api.call('POST', `/api/v1/conversations/${v.conversationId}/handback`, { token, body: {} })).status).toBe(200);
    expect((await v.say('Ana'))!.content).toBe('Encantado, Ana');
  });

  it('runs on Telegram with inline buttons, and a tap moves the flow on; a turn of several messages is stored once and sent one by one', async () => {
    const team = await createTeam(api, { language: 'en' });
    const { token } = team.owner;
    const botToken = '123456789:AAEhBP0av28fhjRdM2ZJu1PsMKrcZhGs4wE';
    const created = await api.call('POST', '/api/v1/integrations', { token, body: { platform: 'telegram', name: 'tg', botId: team.botId, credentials: { botToken } } });
    expect(created.status, created.text).toBe(201);
    expect((await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token })).status).toBe(200);
    await publishFlow(team, { template: 'lead_capture' });
    const path = `/api/v1/channels/telegram/${created.body.id}`;
    const headers = { 'x-telegram-bot-api-secret-token': fake.telegramWebhook(botToken)!.secretToken };
    fake.reset();

    const text = structuredClone(telegramFixtures.text);
    text.message.text = 'hello';
    expect((await api.call('POST', path, { rawBody: JSON.stringify(text), headers })).status).toBe(200);
    await api.runtime.queue.drain();
    // The welcome and the question: one stored answer, two Telegram messages, the buttons under the second.
    const [welcome, question] = fake.sent();
    expect(welcome!.body.text).toBe('Hi! I will help you in a minute.');
    expect(welcome!.body.reply_markup).toBeUndefined();
    expect(question!.body.text).toBe('What are you interested in?');
    const stored = await api.runtime.services.db
      .select({ content: messages.content, metadata: messages.metadata, deliveryStatus: messages.deliveryStatus })
      .from(messages)
      .where(and(eq(messages.organizationId, team.orgId), eq(messages.role, 'assistant')));
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      content: 'Hi! I will help you in a minute.\n\nWhat are you interested in?',
      deliveryStatus: 'sent',
      metadata: { flowParts: ['Hi! I will help you in a minute.', 'What are you interested in?'], parts: 2 },
    });
    expect(question!.body.reply_markup).toEqual({
      inline_keyboard: [
        [
          { text: 'A demo', callback_data: 'demo' },
          { text: 'Pricing', callback_data: 'pricing' },
          { text: 'Something else', callback_data: 'other' },
        ],
      ],
    });

    const tap = structuredClone(telegramFixtures.callback) as { callback_query: { data: string; message: { reply_markup: unknown } } };
    tap.callback_query.data = 'demo';
    tap.callback_query.message.reply_markup = question!.body.reply_markup;
    expect((await api.call('POST', path, { rawBody: JSON.stringify(tap), headers })).status).toBe(200);
    await api.runtime.queue.drain();
    const next = fake.sent().at(-1)!;
    expect(next.body.text).toBe('What is your name?');
  });
  it('reads its position with the stored message and writes the new one, and the node counts, with the reply: one statement each', async () => {
    const team = await createTeam(api);
    const flowId = await publishFlow(team, { template: 'lead_capture' });
    const v = await visitor(team.botId);
    await v.say('hola');
    await api.runtime.idle();
    const statements: string[] = [];
    const stop = watchStatements(api.runtime.database.pglite, (entry) => {
      // The job runner's polling is not the turn's.
      if (!/\blocal_jobs\b/.test(entry.text)) statements.push(entry.text);
    });
    try {
      expect((await v.say('Precios', 'pricing'))!.content).toBe('¿Cómo te llamas?');
    } finally {
      stop();
    }
    expect(statements, statements.join('\n')).toHaveLength(2);
    // The position is read with the stored message (without it, a third statement would read it
    // before the first step); the history only if no flow answers (chat_turn_context, in a case).
    expect(statements[0]).toMatch(/insert into "messages".*from "flow_sessions".*else chat_turn_context\(/);
    expect(statements[1]).toMatch(/insert into "messages".*insert into "flow_sessions".*insert into "flow_node_counts"/);
    const analytics = await api.call('GET', `/api/v1/chatbots/${team.botId}/flows/${flowId}/analytics`, { token: team.owner.token });
    const reached = Object.fromEntries(analytics.body.nodes.map((n: { nodeId: string; reached: number }) => [n.nodeId, n.reached]));
    expect(reached).toMatchObject({ start: 1, interest: 1, name: 1 });
    expect((await v.say('Ana'))!.content).toBe('¿Cuál es tu email, Ana?');
  });

  it('a position that can no longer be read leaves the message to the bot, which reads the history then', async () => {
    const team = await createTeam(api);
    await publishFlow(team, { template: 'lead_capture' });
    const v = await visitor(team.botId);
    expect((await v.say('hola'))!.content).toContain('¿Qué te interesa?');
    // Waiting, as far as the statement can tell, but not a position the runtime accepts.
    await api.runtime.services.db.update(flowSessions).set({ state: { status: 'waiting' } }).where(eq(flowSessions.conversationId, v.conversationId));
    expect((await v.say('¿Cuánto tardan los envíos?'))!.content).toContain('2 a 4 días');
  });

  it('greets an API end user by the contact name read with the stored message', async () => {
    const team = await createTeam(api);
    await publishFlow(team, {
      document: {
        nodes: [
          { id: 'start', type: 'start', position: pos, data: {} },
          { id: 'hi', type: 'message', position: pos, data: { text: 'Hola, {{contact_name}}.' } },
          { id: 'end', type: 'action', position: pos, data: { action: { kind: 'end' } } },
        ],
        edges: [
          { id: 'e0', source: 'start', sourceHandle: 'next', target: 'hi' },
          { id: 'e1', source: 'hi', sourceHandle: 'next', target: 'end' },
        ],
      },
    });
    const key = await api.call('POST', '/api/v1/api-keys', { token: team.owner.token, body: { name: 'flows', scopes: ['chat'] } });
    expect(key.status, key.text).toBe(201);
    const bot = await api.call('GET', `/api/v1/chatbots/${team.botId}`, { token: team.owner.token });
    const res = await api.call('POST', '/api/v1/openai/chat/completions', {
      headers: { authorization: `Bearer ${key.body.key}` },
      body: { model: bot.body.slug, user: 'cliente-42', messages: [{ role: 'user', content: 'hola' }] },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.choices[0].message.content).toBe('Hola, cliente-42.');
  });
});
