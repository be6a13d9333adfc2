import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../../db/schema';
import { botWithKnowledge, playground, startBotTestApi } from '../../testing/bots';
import type { FakeChatRequest, FakeOpenAI } from '../../testing/fake-openai';
import type { TestApi } from '../../testing/harness';

let api: TestApi;
let llm: FakeOpenAI;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ api, llm, close } = await startBotTestApi());
});
afterAll(() => close());

const system = (r: FakeChatRequest) => r.messages.find((m) => m.role === 'system')?.content ?? '';
const isRewrite = (r: FakeChatRequest) => system(r).includes('standalone search query');
const isRerank = (r: FakeChatRequest) => system(r).includes('You rank passages');

/** The model: rewrites follow-ups about the Canaries, ranks the passage that mentions them first, answers. */
function scriptedModel(r: FakeChatRequest): string {
  const prompt = r.messages.map((m) => m.content).join('\n');
  if (isRewrite(r)) return 'plazo de envío a Canarias';
  if (isRerank(r)) return /\[(\d+)\][^\n]*Canarias/.exec(prompt)?.[1] ?? 'none';
  return 'Siete días [1].';
}

async function storedAnswer(id: string) {
  const [row] = await api.runtime.services.db.select().from(messages).where(eq(messages.id, id));
  return row!;
}

describe('retrieval with the bot model (rewrite and rerank)', () => {
  it('rewrites a follow-up, reranks with the model, and records what ran and what it cost', async () => {
    const { user, bot } = await botWithKnowledge(api, { model: 'compatible:fake-llm', retrievalRerank: true });
    expect(bot.retrievalRerank).toBe(true);
    llm.reply = scriptedModel;
    const first = await playground(api, user, bot.id, '¿Cuál es el plazo de devolución?');
    const from = llm.requests.length;
    const second = await playground(api, user, bot.id, '¿Y a Canarias?', first.done.conversationId);
    const calls = llm.requests.slice(from);
    expect(calls.map((r) => (isRewrite(r) ? 'rewrite' : isRerank(r) ? 'rerank' : 'answer'))).toEqual(['rewrite', 'rerank', 'answer']);
    // The answer's context is what the reranker chose, numbered first.
    expect(system(calls[2]!)).toMatch(/\[1\][^\n]*\n?[^[]*Canarias/);
    const row = await storedAnswer(second.done.message.id);
    expect(row.metadata?.retrieval).toMatchObject({ query: 'plazo de envío a Canarias', rewrite: 'model', rerank: 'model' });
    expect(row.metadata?.retrieval).toMatchObject({ inputTokens: expect.any(Number) });
    expect((row.metadata?.retrieval as { inputTokens: number }).inputTokens).toBeGreaterThan(0);
  });

  it('answers with the not-found reply when the reranker says no passage helps', async () => {
    const { user, bot } = await botWithKnowledge(api, { model: 'compatible:fake-llm', retrievalRerank: true, fallbackMessage: 'No lo sé.' });
    llm.reply = (r) => (isRerank(r) ? 'none' : 'Inventado.');
    const { done } = await playground(api, user, bot.id, '¿Cuánto cuesta el envío a Canarias?');
    expect(done.message).toMatchObject({ content: 'No lo sé.', isFallback: true });
  });

  it('does not rerank unless the bot asks for it, and the built-in answerer calls no model', async () => {
    const { user, bot } = await botWithKnowledge(api, { model: 'compatible:fake-llm' });
    llm.reply = scriptedModel;
    let from = llm.requests.length;
    await playground(api, user, bot.id, '¿Cuánto tardan los envíos a Canarias?');
    expect(llm.requests.slice(from).filter(isRerank)).toHaveLength(0);

    const keyless = await botWithKnowledge(api);
    from = llm.requests.length;
    const { done } = await playground(api, keyless.user, keyless.bot.id, '¿Cuánto tardan los envíos a Canarias?');
    expect(llm.requests.length).toBe(from);
    expect((await storedAnswer(done.message.id)).metadata?.retrieval).toBeUndefined();
  });
});
