import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, streamText } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botWithKnowledge, startBotTestApi } from '../testing/bots';
import type { FakeOpenAI } from '../testing/fake-openai';
import type { TestApi, TestUser } from '../testing/harness';

/**
 * The OpenAI-compatible endpoint, driven by the official `openai` client and the AI SDK's
 * OpenAI-compatible provider, each unmodified but for the base URL and the key, against the real
 * app on a loopback port with a fake model provider. Retries are off per call where a test
 * expects an error, so a 429 is seen instead of waited out.
 */
let api: TestApi;
let llm: FakeOpenAI;
let close: () => Promise<void>;
let owner: TestUser;
let bot: { id: string; slug: string };
let chatKey: string;
let baseURL: string;

async function createKey(user: TestUser, body: Record<string, unknown>) {
  const res = await api.call('POST', '/api/v1/api-keys', { token: user.token, body: { name: 'k', ...body } });
  expect(res.status, res.text).toBe(201);
  return res.body as { apiKey: { id: string }; key: string };
}

beforeAll(async () => {
  ({ api, llm, close } = await startBotTestApi());
  baseURL = `${api.baseUrl}/api/v1/openai`;
  const world = await botWithKnowledge(api, { model: 'compatible:fake-llm', name: 'Soporte Sol', answerOnlyFromKnowledge: false });
  owner = world.user;
  const deployed = await api.call('POST', `/api/v1/chatbots/${world.bot.id}/deploy`, { token: owner.token });
  expect(deployed.status, deployed.text).toBe(200);
  bot = { id: world.bot.id, slug: world.bot.slug };
  chatKey = (await createKey(owner, { scopes: ['chat'] })).key;
  llm.reply = (request) => `Respuesta a: ${request.messages.filter((m) => m.role === 'user').at(-1)?.content}`;
});
afterAll(() => close());

describe('the official openai client', () => {
  const client = () => new OpenAI({ baseURL, apiKey: chatKey });

  it('lists the organization\u2019s active bots as models and reads one by slug or id', async () => {
    const models = [];
    for await (const model of client().models.list()) models.push(model);
    expect(models.map((m) => m.id)).toEqual([bot.slug]);
    expect((await client().models.retrieve(bot.slug)).id).toBe(bot.slug);
    expect((await client().models.retrieve(bot.id)).id).toBe(bot.slug);
  });

  it('answers a whole completion through the bot, with usage and the citations in an extra field', async () => {
    const completion = await client().chat.completions.create({ model: bot.slug, messages: [{ role: 'user', content: '¿Cuál es el plazo de devolución?' }] });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0].message.content).toBe('Respuesta a: ¿Cuál es el plazo de devolución?');
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
    // The bot's system prompt carries the knowledge base's passage: grounded, not a bare model call.
    const sent = llm.requests.at(-1)!;
    expect(sent.messages.find((m) => m.role === 'system')?.content).toContain('30 días');
    expect((completion as unknown as { versaai: { status: string } }).versaai.status).toBe('bot');
  });

  it('streams chat.completion.chunk events ending with a usage chunk', async () => {
    const stream = await client().chat.completions.create({
      model: bot.id,
      messages: [{ role: 'user', content: 'Hola por streaming' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Respuesta a: Hola por streaming');
    expect(finish).toBe('stop');
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });

  it('keeps one conversation per `user`: the stored conversation is the memory, shown in the inbox as API', async () => {
    const c = client();
    const first = await c.chat.completions.create({ model: bot.slug, user: 'cliente-42', messages: [{ role: 'user', content: 'Me llamo Ana' }] });
    const second = await c.chat.completions.create({
      model: bot.slug,
      user: 'cliente-42',
      messages: [
        { role: 'user', content: 'Me llamo Ana' },
        { role: 'assistant', content: first.choices[0].message.content ?? '' },
        { role: 'user', content: '¿Cómo me llamo?' },
      ],
    });
    const ids = [first, second].map((r) => (r as unknown as { versaai: { conversationId: string } }).versaai.conversationId);
    expect(ids[0]).toBe(ids[1]);
    // The model saw the first turn from the stored conversation.
    expect(llm.requests.at(-1)!.messages.map((m) => m.content)).toContain('Me llamo Ana');
    const conversation = await api.call('GET', `/api/v1/conversations/${ids[0]}`, { token: owner.token });
    expect(conversation.status, conversation.text).toBe(200);
    expect(conversation.body).toMatchObject({ channel: 'api', messageCount: 4 });
    const other = await c.chat.completions.create({ model: bot.slug, user: 'cliente-43', messages: [{ role: 'user', content: 'Hola' }] });
    expect((other as unknown as { versaai: { conversationId: string } }).versaai.conversationId).not.toBe(ids[0]);
  });

  it('answers an unknown model with 404 model_not_found in OpenAI\u2019s error shape', async () => {
    const error = await client()
      .chat.completions.create({ model: 'no-such-bot', messages: [{ role: 'user', content: 'Hola' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
  });

  it('refuses a key without the chat scope, and a bad key', async () => {
    const readOnly = (await createKey(owner, { scopes: ['read'] })).key;
    const refused = await new OpenAI({ baseURL, apiKey: readOnly }).models.list().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const bad = await new OpenAI({ baseURL, apiKey: 'vsk_not-a-real-key' }).models.list().catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('answers 429 with Retry-After once the key is over its requests per minute', async () => {
    const limited = new OpenAI({ baseURL, apiKey: (await createKey(owner, { scopes: ['chat'], rateLimitPerMinute: 2 })).key, maxRetries: 0 });
    await limited.models.list();
    await limited.models.list();
    const error = await limited.models.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimit = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(Number(rateLimit.headers?.get('retry-after'))).toBeGreaterThan(0);
    expect(rateLimit.code).toBe('rate_limit_exceeded');
  });

  it('never reaches another organization\u2019s bot with this organization\u2019s key', async () => {
    const stranger = await api.signUp();
    await api.createOrg(stranger, 'Other Co');
    const strangerKey = (await createKey(stranger, { scopes: ['chat'] })).key;
    const other = new OpenAI({ baseURL, apiKey: strangerKey });
    for await (const model of other.models.list()) expect(model.id).not.toBe(bot.slug);
    for (const model of [bot.slug, bot.id]) {
      const error = await other.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hola' }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    }
  });

  it('says versaai.status requested once the end user asks for a person, and the inbox agrees', async () => {
    const c = client();
    const asked = await c.chat.completions.create({ model: bot.slug, user: 'cliente-pide-persona', messages: [{ role: 'user', content: 'Quiero hablar con una persona' }] });
    const { status, conversationId } = (asked as unknown as { versaai: { status: string; conversationId: string } }).versaai;
    expect(status).toBe('requested');
    const conversation = await api.call('GET', `/api/v1/conversations/${conversationId}`, { token: owner.token });
    expect(conversation.body.handoff).toBe('requested');
    // Asked again: still requested (the request was already made), not back to the bot.
    const again = await c.chat.completions.create({ model: bot.slug, user: 'cliente-pide-persona', messages: [{ role: 'user', content: 'Una persona, por favor' }] });
    expect((again as unknown as { versaai: { status: string } }).versaai.status).toBe('requested');
  });

  it('while a person holds the conversation, returns their new replies or a status, with versaai.status human', async () => {
    const c = client();
    const first = await c.chat.completions.create({ model: bot.slug, user: 'cliente-handoff', messages: [{ role: 'user', content: 'Hola' }] });
    const conversationId = (first as unknown as { versaai: { conversationId: string } }).versaai.conversationId;
    const taken = await api.call('POST', `/api/v1/conversations/${conversationId}/takeover`, { token: owner.token });
    expect(taken.status, taken.text).toBe(200);
    const calls = llm.requests.length;

    const waiting = await c.chat.completions.create({ model: bot.slug, user: 'cliente-handoff', messages: [{ role: 'user', content: '¿Hay alguien?' }] });
    expect((waiting as unknown as { versaai: { status: string } }).versaai.status).toBe('human');
    expect(waiting.choices[0].message.content).toMatch(/persona del equipo/);

    const reply = await api.call('POST', `/api/v1/conversations/${conversationId}/messages`, { token: owner.token, body: { content: 'Hola, soy Olga. ¿En qué te ayudo?' } });
    expect(reply.status, reply.text).toBe(201);
    const stream = await c.chat.completions.create({ model: bot.slug, user: 'cliente-handoff', messages: [{ role: 'user', content: 'Quiero devolver un pedido' }], stream: true });
    let text = '';
    let status: string | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      status = (chunk as unknown as { versaai?: { status: string } }).versaai?.status ?? status;
    }
    expect(text).toBe('Hola, soy Olga. ¿En qué te ayudo?');
    expect(status).toBe('human');
    // The bot stayed silent throughout.
    expect(llm.requests.length).toBe(calls);
  });
});

describe('the AI SDK\u2019s OpenAI-compatible provider', () => {
  const provider = () => createOpenAICompatible({ name: 'versaai', baseURL, apiKey: chatKey, includeUsage: true });

  it('generates text with usage', async () => {
    const result = await generateText({ model: provider().chatModel(bot.slug), prompt: '¿Hacéis envíos a Canarias?' });
    expect(result.text).toBe('Respuesta a: ¿Hacéis envíos a Canarias?');
    expect(result.usage.outputTokens).toBeGreaterThan(0);
  });

  it('streams text', async () => {
    const result = streamText({ model: provider().chatModel(bot.slug), prompt: 'Hola desde el SDK' });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe('Respuesta a: Hola desde el SDK');
    expect((await result.usage).totalTokens).toBeGreaterThan(0);
  });

  it('continues the conversation of the user named in the X-VersaAI-User header', async () => {
    const withUser = createOpenAICompatible({ name: 'versaai', baseURL, apiKey: chatKey, headers: { 'X-VersaAI-User': 'sdk-user-1' } });
    await generateText({ model: withUser.chatModel(bot.slug), prompt: 'Mi pedido es el 1234' });
    await generateText({
      model: withUser.chatModel(bot.slug),
      messages: [
        { role: 'user', content: 'Mi pedido es el 1234' },
        { role: 'assistant', content: 'Respuesta a: Mi pedido es el 1234' },
        { role: 'user', content: '¿Qué número te di?' },
      ],
    });
    const history = llm.requests.at(-1)!.messages.filter((m) => m.role !== 'system').map((m) => m.content);
    expect(history).toEqual(['Mi pedido es el 1234', 'Respuesta a: Mi pedido es el 1234', '¿Qué número te di?']);
  });

  it('fails on an unknown model with the server\u2019s message', async () => {
    const error = await generateText({ model: provider().chatModel('nope'), prompt: 'Hola', maxRetries: 0 }).catch((e: unknown) => e);
    expect(String((error as Error).message)).toMatch(/does not exist/);
    expect((error as { statusCode?: number }).statusCode).toBe(404);
  });

  it('gets a 429 when over the key\u2019s limit', async () => {
    const limitedKey = (await createKey(owner, { scopes: ['chat'], rateLimitPerMinute: 1 })).key;
    const limited = createOpenAICompatible({ name: 'versaai', baseURL, apiKey: limitedKey });
    await generateText({ model: limited.chatModel(bot.slug), prompt: 'uno', maxRetries: 0 });
    const error = await generateText({ model: limited.chatModel(bot.slug), prompt: 'dos', maxRetries: 0 }).catch((e: unknown) => e);
    expect((error as { statusCode?: number }).statusCode).toBe(429);
    expect(Number((error as { responseHeaders?: Record<string, string> }).responseHeaders?.['retry-after'])).toBeGreaterThan(0);
  });
});

describe('the documented contract of /api/v1/openai (through the harness)', () => {
  it('answers invalid requests with 400 invalid_request_error naming the field', async () => {
    const noUserTurn = await api.call('POST', '/api/v1/openai/chat/completions', {
      token: chatKey,
      body: { model: bot.slug, messages: [{ role: 'assistant', content: 'Hola' }] },
    });
    expect(noUserTurn.status, noUserTurn.text).toBe(400);
    expect(noUserTurn.body.error).toMatchObject({ type: 'invalid_request_error', param: 'messages.0.role' });
    const empty = await api.call('POST', '/api/v1/openai/chat/completions', { token: chatKey, body: { model: bot.slug, messages: [] } });
    expect(empty.status, empty.text).toBe(400);
    expect(empty.body.error.param).toBe('messages');
    const notJson = await api.call('POST', '/api/v1/openai/chat/completions', { token: chatKey, rawBody: '{nope' });
    expect(notJson.status, notJson.text).toBe(400);
  });

  it('refuses user sessions and missing keys with 401 invalid_api_key', async () => {
    const session = await api.call('GET', '/api/v1/openai/models', { token: owner.token });
    expect(session.status).toBe(401);
    expect(session.body.error.code).toBe('invalid_api_key');
    const none = await api.call('GET', '/api/v1/openai/models');
    expect(none.status).toBe(401);
  });

  it('returns a whole completion that keeps the documented schema, and counts the key\u2019s use', async () => {
    const created = await createKey(owner, { scopes: ['chat', 'read'] });
    const res = await api.call('POST', '/api/v1/openai/chat/completions', { token: created.key, body: { model: bot.slug, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hola' }] }] } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.choices[0].message.citations).toEqual(expect.any(Array));
    await api.runtime.idle();
    const keys = await api.call('GET', '/api/v1/api-keys', { token: owner.token });
    const used = keys.body.data.find((k: { id: string }) => k.id === created.apiKey.id);
    expect(used.requestCount).toBe(1);
    expect(used.lastUsedAt).not.toBeNull();
  });
});
