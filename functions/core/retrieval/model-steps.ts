import { generateText, type LanguageModel } from 'ai';
import type { SearchHit } from './search';
import { isFollowUp, retrievalQuery } from './follow-up';

/**
 * Retrieval steps that use the bot's model when it has one: rewriting a follow-up into a
 * standalone query, and reranking the first candidates. Each is bounded in time and tokens and
 * falls back to the keyless behaviour on any failure, so a slow or broken model never costs the
 * visitor an answer, only the gain.
 */

/** Tokens a step spent, recorded with the answer so its cost can be read next to its gain. */
export interface StepUsage {
  inputTokens: number;
  outputTokens: number;
}

type Turn = { role: string; content: string };

/** The model calls of retrieval are small; past this they cost more latency than they gain. */
const STEP_TIMEOUT_MS = 4000;
/** Passages shown to the reranker: the top of the hybrid list (the issue's 20–40). */
export const RERANK_POOL = 30;
/** Characters of each passage the reranker reads; the start of a chunk says what it is about. */
const RERANK_PASSAGE_CHARS = 500;
/** Turns of conversation the rewriter sees. */
const REWRITE_CONTEXT_TURNS = 4;

const REWRITE_SYSTEM = [
  "You turn a customer's follow-up message into a standalone search query for the company's knowledge base.",
  'Use the conversation only to fill in what the follow-up leaves out (the topic, the product).',
  "Write the query in the customer's language. Output only the query: no quotes, no explanation.",
].join(' ');

const RERANK_SYSTEM = [
  'You rank passages from a knowledge base by how well they answer a customer question.',
  'Answer with the numbers of the passages that help answer it, most useful first, separated by commas (for example: 3, 1, 7).',
  'If none of them helps, answer: none.',
].join(' ');

function usageOf(usage: { inputTokens?: number; outputTokens?: number } | undefined): StepUsage {
  return { inputTokens: usage?.inputTokens ?? 0, outputTokens: usage?.outputTokens ?? 0 };
}

export interface RewriteResult {
  query: string;
  /** How the query was made: by the model, by borrowing the previous question's words, or as typed. */
  how: 'model' | 'borrowed' | 'as_typed';
  usage?: StepUsage;
}

/**
 * The query for a turn. A follow-up ("¿y los sábados?") is rewritten by the model into a question
 * that stands alone; a message that stands alone is searched as typed (no call, no cost).
 */
export async function rewriteFollowUp(model: LanguageModel | null, text: string, history: ReadonlyArray<Turn>): Promise<RewriteResult> {
  const borrowed = retrievalQuery(text, history);
  const fallback: RewriteResult = { query: borrowed, how: borrowed === text ? 'as_typed' : 'borrowed' };
  const context = history.filter((m) => (m.role === 'user' || m.role === 'assistant') && m.content.trim() !== '').slice(-REWRITE_CONTEXT_TURNS);
  if (!model || !isFollowUp(text) || !context.some((m) => m.role === 'user')) return fallback;
  try {
    const result = await generateText({
      model,
      system: REWRITE_SYSTEM,
      prompt: `${context.map((m) => `${m.role === 'user' ? 'Customer' : 'Assistant'}: ${m.content.slice(0, 600)}`).join('\n')}\n\nFollow-up: ${text}\n\nStandalone query:`,
      temperature: 0,
      maxOutputTokens: 60,
      maxRetries: 0,
      abortSignal: AbortSignal.timeout(STEP_TIMEOUT_MS),
    });
    const query = cleanQuery(result.text);
    // An empty or rambling rewrite is worse than the borrowed words.
    if (query === '' || query.length > Math.max(200, text.length * 6)) return { ...fallback, usage: usageOf(result.usage) };
    return { query, how: 'model', usage: usageOf(result.usage) };
  } catch {
    return fallback;
  }
}

function cleanQuery(raw: string): string {
  const firstLine = raw.trim().split('\n')[0] ?? '';
  return firstLine
    .replace(/^(standalone query|query|consulta)\s*:\s*/i, '')
    .replace(/^["'«“]+|["'»”]+$/g, '')
    .trim();
}

export interface RerankResult {
  hits: SearchHit[];
  /** `model` when the model's order was used; `kept` when its answer was unusable (search order kept). */
  how: 'model' | 'kept';
  usage?: StepUsage;
}

/**
 * Reorders the first candidates by the model's judgement and keeps the `topK` best. Passages the
 * model leaves out are dropped (that is the precision a reranker is for); an explicit "none"
 * leaves no passage, so the bot answers with its not-found reply instead of a wrong one.
 */
export async function rerankHits(model: LanguageModel, question: string, candidates: SearchHit[], topK: number): Promise<RerankResult> {
  const pool = candidates.slice(0, RERANK_POOL);
  // Even one candidate is judged: "none" is how the reranker keeps a wrong passage out.
  if (pool.length === 0) return { hits: [], how: 'kept' };
  try {
    const passages = pool.map((hit, i) => `[${i + 1}] ${hit.documentName}: ${hit.content.replace(/\s+/g, ' ').slice(0, RERANK_PASSAGE_CHARS)}`);
    const result = await generateText({
      model,
      system: RERANK_SYSTEM,
      prompt: `Question: ${question}\n\nPassages:\n${passages.join('\n')}\n\nMost useful passages:`,
      temperature: 0,
      maxOutputTokens: 80,
      maxRetries: 0,
      abortSignal: AbortSignal.timeout(STEP_TIMEOUT_MS),
    });
    const usage = usageOf(result.usage);
    const order = parseRanking(result.text, pool.length);
    if (order === null) return { hits: candidates.slice(0, topK), how: 'kept', usage };
    return { hits: order.map((i) => pool[i]!).slice(0, topK), how: 'model', usage };
  } catch {
    return { hits: candidates.slice(0, topK), how: 'kept' };
  }
}

/** Zero-based passage indexes in the model's order; [] for "none"; null when nothing usable came back. */
export function parseRanking(text: string, count: number): number[] | null {
  if (/^\s*(none|ninguno|ninguna)\b/i.test(text)) return [];
  const seen = new Set<number>();
  for (const match of text.matchAll(/\d+/g)) {
    const index = Number(match[0]) - 1;
    if (index >= 0 && index < count) seen.add(index);
  }
  return seen.size === 0 ? null : [...seen];
}
