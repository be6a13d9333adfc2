import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelIdsOf } from '../core/models/org-keys';
import { playground, startBotTestApi } from '../testing/bots';
import { startFakeOpenAI, type FakeOpenAI } from '../testing/fake-openai';
import { createTestApi, type TestApi } from '../testing/harness';

/**
 * Presets of OpenAI-compatible services: a key checked with the provider's `GET /models` (a local
 * fake provider stands in for Mistral), the model list read from it, and local providers (Ollama,
 * LM Studio) only where the operator allows private addresses.
 */
let api: TestApi;
let hosted: TestApi;
let llm: FakeOpenAI;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ api, llm, close } = await startBotTestApi());
  // A hosted deployment: ALLOW_PRIVATE_URLS is off (its default).
  hosted = await createTestApi();
});
afterAll(async () => {
  await hosted.close();
  await close();
});

describe('provider presets', () => {
  it('a preset key is checked with the provider, keeps the models it lists, and its models answer', async () => {
    const mistral = await startFakeOpenAI();
    mistral.models = ['mistral-small-latest', 'mistral-large-latest'];
    mistral.invalidKeys.add('bad-key-0000');
    try {
      const owner = await api.signUp();
      await api.createOrg(owner);
      const refused = await api.call('PUT', '/api/v1/provider-keys/mistral', { token: owner.token, body: { apiKey: 'bad-key-0000', baseUrl: mistral.url } });
      expect(refused.status, refused.text).toBe(422);
      expect(refused.body.error.details).toEqual([expect.objectContaining({ path: 'apiKey', code: 'invalid_key' })]);

      const saved = await api.call('PUT', '/api/v1/provider-keys/mistral', { token: owner.token, body: { apiKey: 'ms-good-5678', baseUrl: mistral.url } });
      expect(saved.status, saved.text).toBe(200);
      expect(saved.body).toMatchObject({ provider: 'mistral', keyHint: '…5678', models: ['mistral-small-latest', 'mistral-large-latest'], check: { status: 'verified' } });

      const picker = await api.call('GET', '/api/v1/provider-keys/mistral/models', { token: owner.token });
      expect(picker.status, picker.text).toBe(200);
      expect(picker.body).toEqual({ data: [{ id: 'mistral-small-latest' }, { id: 'mistral-large-latest' }], source: 'provider' });

      const chatModels = await api.call('GET', '/api/v1/models', { token: owner.token });
      expect(chatModels.body.data.find((m: { id: string }) => m.id === 'mistral:mistral-small-latest')).toMatchObject({ provider: 'mistral', available: true });

      const bot = await api.call('POST', '/api/v1/chatbots', { token: owner.token, body: { name: 'Mistral', model: 'mistral:mistral-small-latest', answerOnlyFromKnowledge: false } });
      expect(bot.status, bot.text).toBe(201);
      const turn = await playground(api, owner, bot.body.id, 'hola');
      expect(turn.text).toBe('Echo: hola');
      expect(mistral.requests.at(-1)?.model).toBe('mistral-small-latest');

      // A provider whose list is too long to be a choice keeps the preset's suggestions it offers.
      mistral.models = [...Array.from({ length: 80 }, (_, i) => `model-${i}`), 'mistral-small-latest'];
      const long = await api.call('PUT', '/api/v1/provider-keys/mistral', { token: owner.token, body: { apiKey: 'ms-good-5678', baseUrl: mistral.url } });
      expect(long.body.models).toEqual(['mistral-small-latest']);
    } finally {
      await mistral.close();
    }
  });

  it('only admins of the organization read presets and model lists', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    await api.call('PUT', '/api/v1/provider-keys/together', { token: owner.token, body: { apiKey: 'tg-1234', baseUrl: llm.url } });
    const agent = await api.addMember(owner, org.id, 'agent');
    expect((await api.call('GET', '/api/v1/provider-keys/presets', { token: agent.token, orgId: org.id })).status).toBe(403);
    expect((await api.call('GET', '/api/v1/provider-keys/together/models', { token: agent.token, orgId: org.id })).status).toBe(403);
    const stranger = await api.signUp();
    await api.createOrg(stranger, 'Other');
    expect((await api.call('GET', '/api/v1/provider-keys/together/models', { token: stranger.token })).status).toBe(404);
    expect((await api.call('GET', '/api/v1/provider-keys/together/models', { token: owner.token })).body.data).toEqual([{ id: 'fake-llm' }]);
  });

  it('local presets exist where the operator allows private addresses', async () => {
    const owner = await api.signUp();
    await api.createOrg(owner);
    const presets = await api.call('GET', '/api/v1/provider-keys/presets', { token: owner.token });
    expect(presets.status, presets.text).toBe(200);
    expect(presets.body.data.map((p: { id: string }) => p.id)).toEqual(['gemini', 'mistral', 'together', 'openrouter', 'deepseek', 'ollama', 'lmstudio']);
    expect(presets.body.data.find((p: { id: string }) => p.id === 'ollama')).toMatchObject({ local: true, available: true, baseUrl: 'http://localhost:11434/v1' });
    // The fake server stands in for an Ollama on this machine.
    const ollama = await api.call('PUT', '/api/v1/provider-keys/ollama', { token: owner.token, body: { apiKey: 'ollama', baseUrl: llm.url } });
    expect(ollama.status, ollama.text).toBe(200);
    expect(ollama.body.models).toEqual(['fake-llm']);
  });

  it('never for tenants of a hosted deployment: local presets are refused, and so is a preset pointed at a private address', async () => {
    const owner = await hosted.signUp();
    await hosted.createOrg(owner);
    const presets = await hosted.call('GET', '/api/v1/provider-keys/presets', { token: owner.token });
    const availability = Object.fromEntries(presets.body.data.map((p: { id: string; available: boolean }) => [p.id, p.available]));
    expect(availability).toMatchObject({ ollama: false, lmstudio: false, gemini: true, mistral: true });
    for (const provider of ['ollama', 'lmstudio']) {
      const res = await hosted.call('PUT', `/api/v1/provider-keys/${provider}`, { token: owner.token, body: { apiKey: 'x' } });
      expect(res.status, res.text).toBe(422);
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'provider', code: 'local_provider_not_allowed' })]);
    }
    const sneaky = await hosted.call('PUT', '/api/v1/provider-keys/mistral', { token: owner.token, body: { apiKey: 'x', baseUrl: llm.url } });
    expect(sneaky.status, sneaky.text).toBe(422);
    expect(sneaky.body.error.details).toEqual([expect.objectContaining({ path: 'baseUrl', code: 'url_not_allowed' })]);
    expect(llm.requests).toHaveLength(0);
    expect((await hosted.call('GET', '/api/v1/provider-keys', { token: owner.token })).body.data).toEqual([]);
  });

  it('reads model ids from OpenAI-style lists, Gemini’s `models/` prefix, and a list cut at the size bound', () => {
    expect(modelIdsOf(JSON.stringify({ data: [{ id: 'a' }, { id: 'b' }] }))).toEqual(['a', 'b']);
    expect(modelIdsOf(JSON.stringify({ object: 'list', data: [{ id: 'models/gemini-2.5-flash' }] }))).toEqual(['gemini-2.5-flash']);
    expect(modelIdsOf('{"data":[{"id":"x","pricing":{}},{"id":"y","name":"Y"},{"id":"z')).toEqual(['x', 'y']);
  });
});
