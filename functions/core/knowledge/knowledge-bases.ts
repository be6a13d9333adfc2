import { and, count, eq, inArray, isNull } from 'drizzle-orm';
import { chunks, documents, knowledgeBases } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import type { Database } from '../../ports';

export type KnowledgeBaseRow = typeof knowledgeBases.$inferSelect;
export type DocumentRow = typeof documents.$inferSelect;

export async function findKnowledgeBase(db: Database, organizationId: string, id: string): Promise<KnowledgeBaseRow> {
  const [row] = await db.select().from(knowledgeBases).where(inOrg(knowledgeBases, organizationId, eq(knowledgeBases.id, id))).limit(1);
  if (!row) throw new ApiError('not_found', 'Knowledge base not found');
  return row;
}

/** Top-level document and chunk counts per knowledge base, for lists and cards. */
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

