import { and, count, eq, gt, isNotNull } from 'drizzle-orm';
import { botKnowledgeBases, chunks, knowledgeBases } from '../../../db/schema';
import type { Embedder, Services } from '../../ports';
import { forgetBot } from '../chat/bot-runtime';
import { namespaceFor } from '../retrieval/namespace';

/**
 * Switching a knowledge base to another embedding model without a moment of worse search.
 *
 * Vector ids pin a model, so every chunk needs a new vector. The switch writes them into the next
 * generation's namespace (`vectorGeneration + 1`) while search keeps reading the current one with
 * the current model; when no chunk is left behind, one conditional UPDATE moves the model and
 * the generation together and the old namespace is dropped. All state lives in the database
 * (`chunks.vector_generation`, the knowledge base's pending model and counters), so the job
 * (core/knowledge/reembed-job.ts) can stop anywhere and a later run continues where it was.
 */

type KnowledgeBaseRow = typeof knowledgeBases.$inferSelect;

export const REEMBED_JOB = 'reembed-knowledge-base';

/** What the API shows of a running switch; null when none runs. */
export function embeddingSwitchOf(kb: KnowledgeBaseRow) {
  if (!kb.pendingEmbeddingModel) return null;
  return { model: kb.pendingEmbeddingModel, done: Math.min(kb.reembedDone, kb.reembedTotal), total: kb.reembedTotal };
}

async function chunkCount(services: Pick<Services, 'db'>, knowledgeBaseId: string) {
  const [{ n }] = await services.db.select({ n: count() }).from(chunks).where(eq(chunks.knowledgeBaseId, knowledgeBaseId));
  return n;
}

/** Leftovers of an earlier, abandoned switch: its namespace and the chunk marks pointing at it. */
async function discardNextGeneration(services: Pick<Services, 'db' | 'vectors'>, kb: KnowledgeBaseRow) {
  await services.vectors.deleteNamespace(namespaceFor(kb.id, kb.vectorGeneration + 1));
  await services.db
    .update(chunks)
    .set({ vectorGeneration: kb.vectorGeneration })
    .where(and(eq(chunks.knowledgeBaseId, kb.id), gt(chunks.vectorGeneration, kb.vectorGeneration)));
}

/**
 * Starts (or restarts, for another model) the switch of `kb` to `embedder`'s model and queues its
 * job. Search is untouched until the job completes.
 */
export async function startEmbeddingSwitch(services: Services, kb: KnowledgeBaseRow, embedder: Embedder): Promise<KnowledgeBaseRow> {
  await discardNextGeneration(services, kb);
  const total = await chunkCount(services, kb.id);
  const [updated] = await services.db
    .update(knowledgeBases)
    .set({ pendingEmbeddingModel: embedder.model, pendingEmbeddingDimension: embedder.dimension, reembedDone: 0, reembedTotal: total })
    .where(eq(knowledgeBases.id, kb.id))
    .returning();
  await enqueueReembed(services, updated);
  return updated;
}

/** Drops a running switch (the user chose the current model again, or re-chunking replaces every vector). */
export async function cancelEmbeddingSwitch(services: Services, kb: KnowledgeBaseRow): Promise<KnowledgeBaseRow> {
  if (!kb.pendingEmbeddingModel) return kb;
  const [updated] = await services.db
    .update(knowledgeBases)
    .set({ pendingEmbeddingModel: null, pendingEmbeddingDimension: null, reembedDone: 0, reembedTotal: 0 })
    .where(eq(knowledgeBases.id, kb.id))
    .returning();
  // A job still running finds no pending model (or another one) and stops without writing.
  await discardNextGeneration(services, updated);
  return updated;
}

/**
 * Queues the switch's job. The key holds the progress, so a repeated resume (the sweep) while a
 * run is active is deduplicated, and every continuation, which starts from new progress, is not.
 */
export async function enqueueReembed(services: Pick<Services, 'queue'>, kb: KnowledgeBaseRow) {
  if (!kb.pendingEmbeddingModel) return;
  await services.queue.enqueue(REEMBED_JOB, { knowledgeBaseId: kb.id, model: kb.pendingEmbeddingModel, done: kb.reembedDone });
}

/**
 * The sweep's part: queues every unfinished switch again, so one whose process died (or whose
 * queue message was lost) resumes from its last batch.
 */
export async function resumeEmbeddingSwitches(services: Pick<Services, 'db' | 'queue'>) {
  const pending = await services.db.select().from(knowledgeBases).where(isNotNull(knowledgeBases.pendingEmbeddingModel));
  for (const kb of pending) await enqueueReembed(services, kb);
  return pending.length;
}

/** Bots cache their knowledge bases' model and generation for a minute; a switch must not wait for that. */
export async function forgetBotsOf(services: Pick<Services, 'db' | 'kv'>, knowledgeBaseId: string) {
  const bots = await services.db
    .select({ botId: botKnowledgeBases.botId })
    .from(botKnowledgeBases)
    .where(eq(botKnowledgeBases.knowledgeBaseId, knowledgeBaseId));
  for (const { botId } of bots) await forgetBot(services, botId);
}
