import type { Services } from '../../ports';
import type { MessageMetadata } from '../conversations/json-columns';
import { BUILTIN_MODEL } from '../models/registry';
import { decryptKeys } from '../models/org-keys';
import { pickModelForTask } from '../models/routing';
import { RERANK_POOL, rerankHits, rewriteFollowUp } from '../retrieval/model-steps';
import { searchKnowledge, type SearchHit } from '../retrieval/search';
import type { BotRuntime } from './bot-runtime';

export type RetrievalTrace = NonNullable<MessageMetadata['retrieval']>;

/**
 * The passages for one chat turn. Keyless, a follow-up borrows the previous question's words
 * (follow-up.ts). With a model, the model rewrites a follow-up into a standalone query and, when
 * the bot asks for it, reranks the first RERANK_POOL candidates; the trace says what ran and
 * what it cost, and is stored with the answer.
 */
export async function retrieveForTurn(
  services: Services,
  bot: BotRuntime,
  text: string,
  history: ReadonlyArray<{ role: string; content: string }>,
): Promise<{ hits: SearchHit[]; trace?: RetrievalTrace }> {
  if (bot.knowledgeBases.length === 0) return { hits: [] };
  const model = await helperModel(services, bot);
  const rewrite = await rewriteFollowUp(model, text, history);
  const rerank = model !== null && bot.retrievalRerank;
  const candidates = await searchKnowledge(services, {
    organizationId: bot.organizationId,
    knowledgeBases: bot.knowledgeBases,
    query: rewrite.query,
    topK: rerank ? Math.max(RERANK_POOL, bot.retrievalTopK) : bot.retrievalTopK,
    scoreThreshold: bot.retrievalThreshold,
    mode: 'hybrid',
  });
  const reranked = rerank && model ? await rerankHits(model, rewrite.query, candidates, bot.retrievalTopK) : null;
  const hits = reranked ? reranked.hits : candidates.slice(0, bot.retrievalTopK);
  if (!model) return { hits };
  const spent = [rewrite.usage, reranked?.usage];
  return {
    hits,
    trace: {
      query: rewrite.query,
      rewrite: rewrite.how,
      ...(reranked ? { rerank: reranked.how } : {}),
      inputTokens: spent.reduce((sum, u) => sum + (u?.inputTokens ?? 0), 0),
      outputTokens: spent.reduce((sum, u) => sum + (u?.outputTokens ?? 0), 0),
    },
  };
}

/**
 * The model for the retrieval steps: the toolbox's `fast` model when the bot has one (these are
 * short, cheap calls), else its general or own model; none for the keyless built-in answerer.
 */
async function helperModel(services: Services, bot: BotRuntime) {
  const modelId = pickModelForTask(bot, 'fast', 'retrieval').model;
  if (modelId === BUILTIN_MODEL) return null;
  try {
    const resolved = services.models.resolve(modelId, await decryptKeys(services, bot.providerKeys));
    return resolved.kind === 'llm' ? resolved.model : null;
  } catch {
    // A model that cannot be resolved fails the answer step with its own message; retrieval goes keyless.
    return null;
  }
}
