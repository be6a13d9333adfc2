import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../db/schema';
import { analyticsFixture } from '../testing/analytics-fixture';
import { botWithKnowledge, playground, startBotTestApi } from '../testing/bots';
import type { FakeOpenAI } from '../testing/fake-openai';
import type { TestApi } from '../testing/harness';

/**
 * The toolbox (seed 003's `/bots/{id}/models`): CRUD with roles and tenancy, routing per message
 * through the real chat turn against a fake OpenAI-compatible server, the fallback chain when the
 * routed model fails, and the per-model analytics report.
 */
let api: TestApi;
let llm: FakeOpenAI;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ api, llm, close } = await startBotTestApi());
});
afterAll(() => close());

const { seedConversation, orgInMexico, get } = analyticsFixture(() => api);

const models = (botId: string) => `/api/v1/chatbots/${botId}/models`;

async function lastAnswer(conversationId: string) {
  const [row] = await api.runtime.services.db
    .select()
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.role, 'assistant')))
    .orderBy(desc(messages.createdAt))
    .limit(1);
  return row;
}

describe('toolbox CRUD', () => {
  it('adds a model with the seed’s body, lists, changes and removes it', async () => {
    const { user, bot } = await botWithKnowledge(api);
    const added = await api.call('POST', models(bot.id), { token: user.token, body: { provider: 'openai', model_id: 'gpt-4o', task_type: 'complex' } });
    expect(added.status, added.text).toBe(201);
    // No OpenAI key in this deployment or organization: listed, but not available yet.
    expect(added.body).toMatchObject({ provider: 'openai', model_id: 'gpt-4o', model: 'openai:gpt-4o', task_type: 'complex', enabled: true, available: false, cost_input_per_1m: null });
    const general = await api.call('POST', models(bot.id), { token: user.token, body: { provider: 'compatible', model_id: 'fake-llm', cost_input_per_1m: 0.1, cost_output_per_1m: 0.4 } });
    expect(general.status, general.text).toBe(201);
    expect(general.body).toMatchObject({ task_type: 'general', available: true, cost_input_per_1m: 0.1 });

    const again = await api.call('POST', models(bot.id), { token: user.token, body: { provider: 'openai', model_id: 'gpt-4o', task_type: 'complex' } });
    expect(again.status, again.text).toBe(409);
    const badTask = await api.call('POST', models(bot.id), { token: user.token, body: { provider: 'openai', model_id: 'gpt-4o', task_type: 'Not A Task!' } });
    expect(badTask.status).toBe(422);
    const badProvider = await api.call('POST', models(bot.id), { token: user.token, body: { provider: 'acme', model_id: 'x' } });
    expect(badProvider.status).toBe(422);

    const list = await api.call('GET', models(bot.id), { token: user.token });
    expect(list.status, list.text).toBe(200);
    expect(list.body.data.map((m: { model: string; task_type: string }) => `${m.task_type}=${m.model}`)).toEqual(['complex=openai:gpt-4o', 'general=compatible:fake-llm']);
    expect(list.body.routing).toEqual({ mode: 'rules', rules: [] });

    const changed = await api.call('PATCH', `${models(bot.id)}/${added.body.id}`, { token: user.token, body: { cost_input_per_1m: 3, cost_output_per_1m: 12, enabled: false } });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ cost_input_per_1m: 3, cost_output_per_1m: 12, enabled: false, task_type: 'complex' });

    const removed = await api.call('DELETE', `${models(bot.id)}/${added.body.id}`, { token: user.token });
    expect(removed.status).toBe(204);
    const gone = await api.call('DELETE', `${models(bot.id)}/${added.body.id}`, { token: user.token });
    expect(gone.status).toBe(404);

    const routing = await api.call('PUT', `/api/v1/chatbots/${bot.id}/routing`, { token: user.token, body: { mode: 'classifier', rules: [{ maxLength: 40, task: 'fast' }] } });
    expect(routing.status, routing.text).toBe(200);
    expect((await api.call('GET', models(bot.id), { token: user.token })).body.routing).toEqual({ mode: 'classifier', rules: [{ maxLength: 40, task: 'fast' }] });
  });

  it('members read the toolbox; only admins change it', async () => {
    const owner = await api.signUp();
    const orgId = (await api.createOrg(owner)).id;
    const bot = (await api.call('POST', '/api/v1/chatbots', { token: owner.token, orgId, body: { name: 'Soporte' } })).body;
    const added = await api.call('POST', models(bot.id), { token: owner.token, body: { provider: 'compatible', model_id: 'fake-llm', task_type: 'fast' } });
    for (const role of ['agent', 'viewer'] as const) {
      const member = await api.addMember(owner, orgId, role);
      const read = await api.call('GET', models(bot.id), { token: member.token, orgId });
      expect(read.status, read.text).toBe(200);
      expect(read.body.data).toHaveLength(1);
      const post = await api.call('POST', models(bot.id), { token: member.token, orgId, body: { provider: 'openai', model_id: 'gpt-4o' } });
      expect(post.status, post.text).toBe(403);
      expect((await api.call('PATCH', `${models(bot.id)}/${added.body.id}`, { token: member.token, orgId, body: { enabled: false } })).status).toBe(403);
      expect((await api.call('DELETE', `${models(bot.id)}/${added.body.id}`, { token: member.token, orgId })).status).toBe(403);
      expect((await api.call('PUT', `/api/v1/chatbots/${bot.id}/routing`, { token: member.token, orgId, body: { mode: 'rules', rules: [] } })).status).toBe(403);
    }
    const admin = await api.addMember(owner, orgId, 'admin');
    expect((await api.call('POST', models(bot.id), { token: admin.token, orgId, body: { provider: 'openai', model_id: 'gpt-4o' } })).status).toBe(201);
  });

  it('another organization can neither see nor change a bot’s toolbox', async () => {
    const { user: owner, bot } = await botWithKnowledge(api);
    const added = await api.call('POST', models(bot.id), { token: owner.token, body: { provider: 'compatible', model_id: 'fake-llm' } });
    const stranger = await api.signUp();
    await api.createOrg(stranger, 'Other');
    const path = models(bot.id);
    expect((await api.call('GET', path, { token: stranger.token })).status).toBe(404);
    expect((await api.call('POST', path, { token: stranger.token, body: { provider: 'openai', model_id: 'gpt-4o' } })).status).toBe(404);
    expect((await api.call('PATCH', `${path}/${added.body.id}`, { token: stranger.token, body: { enabled: false } })).status).toBe(404);
    expect((await api.call('DELETE', `${path}/${added.body.id}`, { token: stranger.token })).status).toBe(404);
    expect((await api.call('PUT', `/api/v1/chatbots/${bot.id}/routing`, { token: stranger.token, body: { mode: 'rules', rules: [] } })).status).toBe(404);
    // Their own bot cannot reach the entry either.
    const { user: other, bot: otherBot } = await botWithKnowledge(api);
    expect((await api.call('PATCH', `${models(otherBot.id)}/${added.body.id}`, { token: other.token, body: { enabled: false } })).status).toBe(404);
    const still = await api.call('GET', path, { token: owner.token });
    expect(still.body.data[0].enabled).toBe(true);
  });
});

describe('routing per message', () => {
  async function routedBot() {
    const { user, bot } = await botWithKnowledge(api, { model: 'compatible:fake-llm', answerOnlyFromKnowledge: false });
    const add = (model_id: string, task_type: string) => api.call('POST', models(bot.id), { token: user.token, body: { provider: 'compatible', model_id, task_type } });
    await add('small-llm', 'fast');
    await add('big-llm', 'complex');
    const rules = [
      { words: ['factura', 'invoice'], task: 'complex' },
      { maxLength: 60, task: 'fast' },
    ];
    const routing = await api.call('PUT', `/api/v1/chatbots/${bot.id}/routing`, { token: user.token, body: { mode: 'rules', rules } });
    expect(routing.status, routing.text).toBe(200);
    return { user, bot, add };
  }

  it('answers with the model the rules choose and records it with the reason', async () => {
    const { user, bot } = await routedBot();
    const short = await playground(api, user, bot.id, '¿Hacéis envíos a Canarias?');
    expect(llm.requests.at(-1)?.model).toBe('small-llm');
    const answer = await lastAnswer(short.done.conversationId);
    expect(answer.model).toBe('compatible:small-llm');
    expect(answer.metadata).toMatchObject({ model: 'compatible:small-llm', task: 'fast', routeReason: 'rule:2' });

    await playground(api, user, bot.id, 'Mi factura de marzo tiene un cargo que no reconozco, ¿me lo explicáis?', short.done.conversationId);
    expect(llm.requests.at(-1)?.model).toBe('big-llm');
    expect((await lastAnswer(short.done.conversationId)).metadata).toMatchObject({ model: 'compatible:big-llm', task: 'complex', routeReason: 'rule:1' });

    // No rule matches a long message without the words: the general task, which this toolbox lacks, is the bot's model.
    await playground(api, user, bot.id, 'Quería saber si el plazo de devolución empieza a contar desde que hago el pedido o desde la entrega', short.done.conversationId);
    expect(llm.requests.at(-1)?.model).toBe('fake-llm');
    expect((await lastAnswer(short.done.conversationId)).metadata).toMatchObject({ model: 'compatible:fake-llm', task: 'general', routeReason: 'default' });
  });

  it('a bot without a toolbox answers with its own model, recorded as such', async () => {
    const { user, bot } = await botWithKnowledge(api, { model: 'compatible:fake-llm', answerOnlyFromKnowledge: false });
    const turn = await playground(api, user, bot.id, 'hola');
    expect((await lastAnswer(turn.done.conversationId)).metadata).toMatchObject({ model: 'compatible:fake-llm', task: 'general', routeReason: 'bot_model' });
  });

  it('when the routed model fails, the bot’s model answers and the answer says which was routed', async () => {
    const { user, bot } = await routedBot();
    llm.failing.add('big-llm');
    try {
      const turn = await playground(api, user, bot.id, 'Tengo un problema con la factura');
      expect(turn.text).toContain('Echo: Tengo un problema con la factura');
      const answer = await lastAnswer(turn.done.conversationId);
      expect(answer).toMatchObject({ model: 'compatible:fake-llm', isFallback: false, error: null });
      expect(answer.metadata).toMatchObject({ model: 'compatible:fake-llm', routedModel: 'compatible:big-llm', task: 'complex', routeReason: 'rule:1' });
    } finally {
      llm.failing.delete('big-llm');
    }
  });

  it('classifier mode: the classifier model labels the message; when it fails, the keyword classifier', async () => {
    const { user, bot, add } = await routedBot();
    await add('clf-llm', 'classifier');
    await api.call('PUT', `/api/v1/chatbots/${bot.id}/routing`, { token: user.token, body: { mode: 'classifier', rules: [] } });
    const defaultReply = llm.reply;
    llm.reply = (request) => (request.model === 'clf-llm' ? 'complex' : defaultReply(request));
    try {
      const turn = await playground(api, user, bot.id, 'hola');
      const asked = llm.requests.slice(-2).map((r) => r.model);
      expect(asked).toEqual(['clf-llm', 'big-llm']);
      expect((await lastAnswer(turn.done.conversationId)).metadata).toMatchObject({ model: 'compatible:big-llm', task: 'complex', routeReason: 'classifier:complex' });

      llm.failing.add('clf-llm');
      await playground(api, user, bot.id, 'hola, ¿qué horario tenéis?', turn.done.conversationId);
      expect((await lastAnswer(turn.done.conversationId)).metadata).toMatchObject({ model: 'compatible:small-llm', task: 'fast', routeReason: 'keywords:simple' });
    } finally {
      llm.reply = defaultReply;
      llm.failing.delete('clf-llm');
    }
  });
});

describe('analytics per model', () => {
  it('prices tokens with the toolbox price where set and reports ratings, thumbs and handoffs per model', async () => {
    const { owner, orgId, bot1 } = await orgInMexico();
    const price = await api.call('POST', models(bot1), { token: owner.token, orgId, body: { provider: 'openai', model_id: 'gpt-4o', task_type: 'complex', cost_input_per_1m: 5, cost_output_per_1m: 20 } });
    expect(price.status, price.text).toBe(201);
    const now = new Date(Date.now() - 60_000);
    const user = { role: 'user' as const, createdAt: now };
    await seedConversation(orgId, { botId: bot1, channel: 'web', contact: 'ana', rating: 5 }, [
      user,
      { role: 'assistant', createdAt: now, model: 'compatible:small-llm', inputTokens: 1000, outputTokens: 200, feedback: 1, metadata: { task: 'fast' } },
    ]);
    await seedConversation(orgId, { botId: bot1, channel: 'web', contact: 'luis', rating: 2, handedOffAt: now, handoff: 'requested' }, [
      user,
      { role: 'assistant', createdAt: now, model: 'openai:gpt-4o', inputTokens: 2000, outputTokens: 500, feedback: -1, metadata: { task: 'complex' } },
      user,
      { role: 'assistant', createdAt: now, model: 'compatible:small-llm', inputTokens: 500, outputTokens: 100, metadata: { task: 'fast' } },
    ]);
    const res = await get(owner, orgId, '/api/v1/analytics/models');
    expect(res.status, res.text).toBe(200);
    const [gpt4o, small] = res.body.data;
    // 2000 × $5 + 500 × $20 per million: the toolbox price, not the $2.50/$10 list price.
    expect(gpt4o).toMatchObject({ model: 'openai:gpt-4o', messages: 1, costUsd: 0.02, priced: true, thumbsDown: 1, conversations: 1, avgRating: 2, handoffs: 1, handoffRate: 1, tasks: { complex: 1 } });
    expect(small).toMatchObject({
      model: 'compatible:small-llm',
      messages: 2,
      inputTokens: 1500,
      outputTokens: 300,
      costUsd: 0,
      thumbsUp: 1,
      conversations: 2,
      ratedConversations: 2,
      avgRating: 3.5,
      handoffs: 1,
      handoffRate: 0.5,
      tasks: { fast: 2 },
    });

    const stranger = await api.signUp();
    const other = await api.createOrg(stranger, 'Other');
    const theirs = await get(stranger, other.id, '/api/v1/analytics/models');
    expect(theirs.status).toBe(200);
    expect(theirs.body.data).toEqual([]);
  });
});
