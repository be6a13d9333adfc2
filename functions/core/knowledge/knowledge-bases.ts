import { and, count, desc, eq, inArray, isNull, ne } from 'drizzle-orm';
import { chunks, documents, knowledgeBases, type ChunkingSettings, type RetrievalSettings } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import type { Database, Services } from '../../ports';
import { startProcessing } from '../ingest/pipeline';
import { liveNamespaces } from '../retrieval/namespace';
import { cancelEmbeddingSwitch, embeddingSwitchOf, startEmbeddingSwitch } from './embedding-switch';
import { fusionFor, searchKnowledge } from '../retrieval/search';

export type KnowledgeBaseRow = typeof knowledgeBases.$inferSelect;
export type DocumentRow = typeof documents.$inferSelect;

export async function findKnowledgeBase(db: Database, organizationId: string, id: string): Promise<KnowledgeBaseRow> {
  const [row] = await db.select().from(knowledgeBases).where(inOrg(knowledgeBases, organizationId, eq(knowledgeBases.id, id))).limit(1);
  if (!row) throw new ApiError('not_found', 'Knowledge base not found');
  return row;
}

/** Top-level document and chunk counts per knowledge base, for lists and cards. */
/** The organization's knowledge base when it has exactly one (the brief's paths name none). */
export async function onlyKnowledgeBaseId(db: Database, organizationId: string): Promise<string> {
  const rows = await db.select({ id: knowledgeBases.id }).from(knowledgeBases).where(inOrg(knowledgeBases, organizationId)).limit(2);
  if (rows.length === 1) return rows[0].id;
  throw new ApiError('bad_request', rows.length === 0 ? 'Create a knowledge base first' : 'Several knowledge bases: pass knowledge_base_id');
}

export async function knowledgeBaseCounts(db: Database, organizationId: string, ids: string[]) {
  if (ids.length === 0) return new Map<string, { documentCount: number; chunkCount: number }>();
  const docRows = await db
    .select({ id: documents.knowledgeBaseId, n: count() })
    .from(documents)
    .where(inOrg(documents, organizationId, inArray(documents.knowledgeBaseId, ids), isNull(documents.parentId)))
    .groupBy(documents.knowledgeBaseId);
  const chunkRows = await db
    .select({ id: chunks.knowledgeBaseId, n: count() })
    .from(chunks)
    .where(inOrg(chunks, organizationId, inArray(chunks.knowledgeBaseId, ids)))
    .groupBy(chunks.knowledgeBaseId);
  const result = new Map(ids.map((id) => [id, { documentCount: 0, chunkCount: 0 }]));
  for (const r of docRows) result.get(r.id)!.documentCount = r.n;
  for (const r of chunkRows) result.get(r.id)!.chunkCount = r.n;
  return result;
}

export function publicKnowledgeBase(kb: KnowledgeBaseRow, counts = { documentCount: 0, chunkCount: 0 }) {
  return {
    id: kb.id,
    name: kb.name,
    description: kb.description,
    embeddingModel: kb.embeddingModel,
    embeddingDimension: kb.embeddingDimension,
    chunking: kb.chunking,
    retrieval: kb.retrieval,
    ...counts,
    embeddingSwitch: embeddingSwitchOf(kb),
    createdAt: kb.createdAt.toISOString(),
    updatedAt: kb.updatedAt.toISOString(),
  };
}

export interface CrawlProgress {
  pagesFound: number;
  pagesDone: number;
  pagesFailed: number;
  maxPages: number;
  maxDepth: number;
}

/** A website's progress, from its pages' statuses. */
export async function crawlProgress(db: Database, website: DocumentRow): Promise<CrawlProgress> {
  const rows = await db
    .select({ status: documents.status, n: count() })
    .from(documents)
    .where(and(eq(documents.parentId, website.id), eq(documents.organizationId, website.organizationId)))
    .groupBy(documents.status);
  const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
  const settings = website.metadata as { maxPages?: number; maxDepth?: number };
  return {
    pagesFound: rows.reduce((sum, r) => sum + r.n, 0),
    pagesDone: by.ready ?? 0,
    pagesFailed: by.failed ?? 0,
    maxPages: settings.maxPages ?? 0,
    maxDepth: settings.maxDepth ?? 0,
  };
}

export async function publicDocument(db: Database, doc: DocumentRow) {
  return {
    id: doc.id,
    knowledgeBaseId: doc.knowledgeBaseId,
    parentId: doc.parentId,
    name: doc.name,
    source: doc.source,
    sourceUrl: doc.sourceUrl,
    mimeType: doc.mimeType,
    sizeBytes: doc.sizeBytes,
    status: doc.status,
    error: doc.error,
    pageCount: doc.pageCount,
    chunkCount: doc.chunkCount,
    chunksDone: doc.chunksDone,
    tokenCount: doc.tokenCount,
    refreshSchedule: doc.refreshSchedule as 'daily' | 'weekly' | null,
    lastRefreshedAt: doc.lastRefreshedAt?.toISOString() ?? null,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
    ...(doc.source === 'website' ? { crawl: await crawlProgress(db, doc) } : {}),
  };
}


const DEFAULT_CHUNKING: ChunkingSettings = { strategy: 'structure', chunkSize: 400, chunkOverlap: 60 };
const DEFAULT_RETRIEVAL: RetrievalSettings = { mode: 'hybrid', topK: 5, scoreThreshold: 0 };

export interface KnowledgeBaseInput {
  name: string;
  description?: string | null;
  embeddingModel?: string;
  chunking?: ChunkingSettings;
  retrieval?: RetrievalSettings;
}

/** The organization's knowledge bases, newest first, with their document and chunk counts. */
export async function listKnowledgeBases(db: Database, organizationId: string) {
  const rows = await db.select().from(knowledgeBases).where(inOrg(knowledgeBases, organizationId)).orderBy(desc(knowledgeBases.createdAt));
  const counts = await knowledgeBaseCounts(db, organizationId, rows.map((r) => r.id));
  return rows.map((kb) => publicKnowledgeBase(kb, counts.get(kb.id)));
}

export async function getKnowledgeBase(db: Database, organizationId: string, id: string) {
  const kb = await findKnowledgeBase(db, organizationId, id);
  const counts = await knowledgeBaseCounts(db, organizationId, [kb.id]);
  return publicKnowledgeBase(kb, counts.get(kb.id));
}

export async function createKnowledgeBase(services: Services, organizationId: string, createdBy: string | null, input: KnowledgeBaseInput) {
  const embedder = services.embeddings.get(input.embeddingModel ?? services.embeddings.defaultModel);
  const [kb] = await services.db
    .insert(knowledgeBases)
    .values({
      organizationId,
      name: input.name,
      description: input.description ?? null,
      embeddingModel: embedder.model,
      embeddingDimension: embedder.dimension,
      chunking: input.chunking ?? DEFAULT_CHUNKING,
      retrieval: input.retrieval ?? DEFAULT_RETRIEVAL,
      createdBy,
    })
    .returning();
  return publicKnowledgeBase(kb);
}

/**
 * Changing the chunking re-indexes every document (with the new model, if one was given too).
 * Changing only the model starts a background switch (embedding-switch.ts): search keeps using
 * the current model's vectors until every chunk has one of the new model.
 */
export async function updateKnowledgeBase(services: Services, organizationId: string, id: string, input: Partial<KnowledgeBaseInput>) {
  const kb = await findKnowledgeBase(services.db, organizationId, id);
  const embedder = input.embeddingModel ? services.embeddings.get(input.embeddingModel) : null;
  const chunkingChanged = input.chunking !== undefined && JSON.stringify(input.chunking) !== JSON.stringify(kb.chunking);
  const { embeddingModel: _model, ...settings } = input;
  let [updated] = await services.db
    .update(knowledgeBases)
    .set({ ...settings, updatedAt: new Date() })
    .where(eq(knowledgeBases.id, kb.id))
    .returning();
  if (chunkingChanged) {
    // New chunks get new vectors anyway: take the model at once, and drop a running switch.
    updated = await cancelEmbeddingSwitch(services, updated);
    if (embedder && embedder.model !== updated.embeddingModel) {
      [updated] = await services.db
        .update(knowledgeBases)
        .set({ embeddingModel: embedder.model, embeddingDimension: embedder.dimension })
        .where(eq(knowledgeBases.id, kb.id))
        .returning();
    }
    await reindexKnowledgeBase(services, organizationId, kb.id);
  } else if (embedder && embedder.model === updated.embeddingModel) {
    updated = await cancelEmbeddingSwitch(services, updated);
  } else if (embedder && embedder.model !== updated.pendingEmbeddingModel) {
    updated = await startEmbeddingSwitch(services, updated, embedder);
  }
  const counts = await knowledgeBaseCounts(services.db, organizationId, [kb.id]);
  return publicKnowledgeBase(updated, counts.get(kb.id));
}

export async function deleteKnowledgeBase(services: Services, organizationId: string, id: string) {
  const kb = await findKnowledgeBase(services.db, organizationId, id);
  for (const namespace of liveNamespaces(kb)) await services.vectors.deleteNamespace(namespace);
  await services.db.delete(knowledgeBases).where(eq(knowledgeBases.id, kb.id));
}

/** Re-processes every document: new chunks, and vectors in a fresh namespace. */
export async function reindexKnowledgeBase(services: Services, organizationId: string, knowledgeBaseId: string) {
  const kb = await findKnowledgeBase(services.db, organizationId, knowledgeBaseId);
  for (const namespace of liveNamespaces(kb)) await services.vectors.deleteNamespace(namespace);
  const docs = await services.db
    .select({ id: documents.id })
    .from(documents)
    .where(inOrg(documents, organizationId, eq(documents.knowledgeBaseId, knowledgeBaseId), ne(documents.source, 'website')));
  for (const doc of docs) await startProcessing(services, doc);
  return docs.length;
}

export async function reindexKnowledgeBaseById(services: Services, organizationId: string, id: string) {
  const kb = await findKnowledgeBase(services.db, organizationId, id);
  return reindexKnowledgeBase(services, organizationId, kb.id);
}

const searchedKnowledgeBase = (kb: KnowledgeBaseRow) => ({ id: kb.id, embeddingModel: kb.embeddingModel, vectorGeneration: kb.vectorGeneration });

/** The search tester: ranked chunks, with the knowledge base's retrieval settings as defaults. */
export async function searchKnowledgeBase(
  services: Services,
  organizationId: string,
  id: string,
  query: { query: string; topK?: number; scoreThreshold?: number; mode?: RetrievalSettings['mode'] },
) {
  const kb = await findKnowledgeBase(services.db, organizationId, id);
  const started = performance.now();
  const hits = await searchKnowledge(services, {
    organizationId,
    knowledgeBases: [searchedKnowledgeBase(kb)],
    query: query.query,
    topK: query.topK ?? kb.retrieval.topK,
    scoreThreshold: query.scoreThreshold ?? kb.retrieval.scoreThreshold,
    mode: query.mode ?? kb.retrieval.mode,
  });
  const fusion = fusionFor([searchedKnowledgeBase(kb)]);
  return { data: hits, tookMs: Math.round((performance.now() - started) * 10) / 10, fusion };
}
