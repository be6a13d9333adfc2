import { and, asc, count, eq, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import { chunks, knowledgeBases } from '../../../db/schema';
import type { Services } from '../../ports';
import { EMBED_BATCH_SIZE } from '../embeddings';
import { namespaceFor, vectorId } from '../retrieval/namespace';
import { enqueueReembed, forgetBotsOf } from './embedding-switch';

/**
 * Job `reembed-knowledge-base`: the worker side of a model switch (see embedding-switch.ts).
 * Each run embeds up to BATCHES_PER_RUN batches of chunks not yet in the next generation, then
 * queues its continuation, so no run outlives a Worker's time limit and a crash loses at most
 * one batch (the sweep queues the switch again).
 */
export const BATCHES_PER_RUN = 20;

type KnowledgeBaseRow = typeof knowledgeBases.$inferSelect;

export async function reembedKnowledgeBase(
  services: Services,
  payload: { knowledgeBaseId: string; model: string; done: number },
  options: { batchesPerRun?: number; batchSize?: number } = {},
) {
  const [kb] = await services.db.select().from(knowledgeBases).where(eq(knowledgeBases.id, payload.knowledgeBaseId));
  // Deleted, finished, cancelled or replaced by a switch to yet another model: nothing to do.
  if (!kb || kb.pendingEmbeddingModel !== payload.model) return { skipped: 'no such switch' };
  const target = kb.vectorGeneration + 1;
  const batchSize = options.batchSize ?? EMBED_BATCH_SIZE;
  let embedded = 0;
  for (let run = 0; run < (options.batchesPerRun ?? BATCHES_PER_RUN); run++) {
    const written = await embedBatch(services, kb, payload.model, target, batchSize);
    if (written === null) return { embedded, ...(await completeSwitch(services, kb, target)) };
    embedded += written;
  }
  const [progress] = await services.db.select().from(knowledgeBases).where(eq(knowledgeBases.id, kb.id));
  if (progress?.pendingEmbeddingModel === payload.model) await enqueueReembed(services, progress);
  return { embedded, continued: true };
}

/**
 * Embeds the next batch of chunks still below `target` into the target namespace and marks them.
 * Null when none is left; 0 when the switch was cancelled meanwhile (the marks are not written).
 */
async function embedBatch(services: Services, kb: KnowledgeBaseRow, model: string, target: number, batchSize: number): Promise<number | null> {
  const { db } = services;
  const batch = await db
    .select({ id: chunks.id, documentId: chunks.documentId, position: chunks.position, content: chunks.content })
    .from(chunks)
    .where(and(eq(chunks.knowledgeBaseId, kb.id), lt(chunks.vectorGeneration, target)))
    .orderBy(asc(chunks.id))
    .limit(batchSize);
  if (batch.length === 0) return null;
  const embedder = services.embeddings.get(model);
  const texts = batch.map((c) => c.content);
  const values = services.ingestOffload ? await services.ingestOffload.embed(embedder, texts) : await embedder.embed(texts);
  await services.vectors.upsert(
    namespaceFor(kb.id, target),
    batch.map((c, i) => ({
      id: vectorId(c.documentId, c.position),
      values: values[i],
      metadata: { documentId: c.documentId, chunkId: c.id, position: c.position, organizationId: kb.organizationId },
    })),
  );
  // Only while this switch is still the knowledge base's: a cancelled one must leave no marks.
  const marked = await db
    .update(chunks)
    .set({ vectorGeneration: target })
    .where(
      and(
        inArray(chunks.id, batch.map((c) => c.id)),
        lt(chunks.vectorGeneration, target),
        sql`EXISTS (SELECT 1 FROM ${knowledgeBases} WHERE ${knowledgeBases.id} = ${kb.id} AND ${knowledgeBases.pendingEmbeddingModel} = ${model} AND ${knowledgeBases.vectorGeneration} = ${kb.vectorGeneration})`,
      ),
    )
    .returning({ id: chunks.id });
  if (marked.length === 0) return 0;
  await db
    .update(knowledgeBases)
    .set({ reembedDone: sql`${knowledgeBases.reembedDone} + ${marked.length}` })
    .where(eq(knowledgeBases.id, kb.id));
  return marked.length;
}

/**
 * Moves the model and the generation together, only if no chunk was added behind the job's back
 * since its last batch (it then runs again), and drops the old namespace.
 */
async function completeSwitch(services: Services, kb: KnowledgeBaseRow, target: number) {
  const { db } = services;
  const [{ total }] = await db.select({ total: count() }).from(chunks).where(eq(chunks.knowledgeBaseId, kb.id));
  const [switched] = await db
    .update(knowledgeBases)
    .set({
      embeddingModel: kb.pendingEmbeddingModel!,
      embeddingDimension: kb.pendingEmbeddingDimension!,
      vectorGeneration: target,
      pendingEmbeddingModel: null,
      pendingEmbeddingDimension: null,
      reembedDone: total,
      reembedTotal: total,
    })
    .where(
      and(
        eq(knowledgeBases.id, kb.id),
        eq(knowledgeBases.vectorGeneration, kb.vectorGeneration),
        eq(knowledgeBases.pendingEmbeddingModel, kb.pendingEmbeddingModel!),
        sql`NOT EXISTS (SELECT 1 FROM ${chunks} WHERE ${chunks.knowledgeBaseId} = ${kb.id} AND ${chunks.vectorGeneration} < ${target})`,
      ),
    )
    .returning();
  if (!switched) {
    const [now] = await db.select().from(knowledgeBases).where(eq(knowledgeBases.id, kb.id));
    if (now?.pendingEmbeddingModel === kb.pendingEmbeddingModel) await enqueueReembed(services, now);
    return { switched: false };
  }
  await forgetBotsOf(services, kb.id);
  await services.vectors.deleteNamespace(namespaceFor(kb.id, kb.vectorGeneration));
  const stragglers = await catchUpStragglers(services, switched);
  return { switched: true, stragglers };
}

/**
 * An ingestion batch that read the knowledge base before the switch wrote its vectors with the
 * old model into the namespace just dropped; its chunks sit below the new generation. Embeds
 * them (with the model now current) so no chunk is left without a vector.
 */
async function catchUpStragglers(services: Services, kb: KnowledgeBaseRow) {
  let caught = 0;
  for (;;) {
    const rows = await services.db
      .select({ id: chunks.id, documentId: chunks.documentId, position: chunks.position, content: chunks.content })
      .from(chunks)
      .where(and(eq(chunks.knowledgeBaseId, kb.id), lt(chunks.vectorGeneration, kb.vectorGeneration), isNotNull(chunks.embeddedAt)))
      .limit(EMBED_BATCH_SIZE);
    if (rows.length === 0) return caught;
    const embedder = services.embeddings.get(kb.embeddingModel);
    const values = await embedder.embed(rows.map((c) => c.content));
    await services.vectors.upsert(
      namespaceFor(kb.id, kb.vectorGeneration),
      rows.map((c, i) => ({
        id: vectorId(c.documentId, c.position),
        values: values[i],
        metadata: { documentId: c.documentId, chunkId: c.id, position: c.position, organizationId: kb.organizationId },
      })),
    );
    await services.db
      .update(chunks)
      .set({ vectorGeneration: kb.vectorGeneration })
      .where(inArray(chunks.id, rows.map((c) => c.id)));
    caught += rows.length;
  }
}
