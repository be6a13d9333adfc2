import { and, asc, desc, eq, gt, ilike, isNull, lt, ne, or, type SQL } from 'drizzle-orm';
import { sha256Hex } from '../../lib/crypto';
import { chunks, documents } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import { decodeCursor, toPage } from '../../lib/pagination';
import { likePattern } from '../../lib/sql';
import { inOrg } from '../../lib/tenancy';
import type { Database, Services } from '../../ports';
import { addPages, enqueueCrawl } from '../ingest/crawl';
import { detectFileType, mimeFor } from '../ingest/detect';
import { assertFetchableUrl } from '../ingest/fetch-url';
import { QA_MIME, blobKeyFor, deleteDocumentVectors, refreshWebsiteStatus, startProcessing } from '../ingest/pipeline';
import { findKnowledgeBase, publicDocument, type DocumentRow } from './knowledge-bases';
import { assertWithinLimit } from '../billing/limits';

/**
 * A knowledge base's documents: listing, adding (stored content, web pages, websites), editing,
 * deleting, reading chunks, and processing again. Every function is scoped to one organization;
 * a document of another organization or knowledge base is "not found".
 */
type DocumentStatus = DocumentRow['status'];

export async function findDocument(db: Database, organizationId: string, kbId: string, docId: string): Promise<DocumentRow> {
  const [doc] = await db
    .select()
    .from(documents)
    .where(inOrg(documents, organizationId, eq(documents.knowledgeBaseId, kbId), eq(documents.id, docId)))
    .limit(1);
  if (!doc) throw new ApiError('not_found', 'Document not found');
  return doc;
}

export interface DocumentFilters {
  status?: DocumentStatus;
  /** Name or URL contains. */
  q?: string;
  /** A website's pages; top-level documents without it. */
  parentId?: string;
  cursor?: string;
  limit: number;
}

export async function listDocuments(db: Database, organizationId: string, kbId: string, filters: DocumentFilters) {
  const kb = await findKnowledgeBase(db, organizationId, kbId);
  const after = decodeCursor(filters.cursor);
  const conditions: Array<SQL | undefined> = [
    eq(documents.knowledgeBaseId, kb.id),
    filters.parentId ? eq(documents.parentId, filters.parentId) : isNull(documents.parentId),
    filters.status ? eq(documents.status, filters.status) : undefined,
    filters.q ? or(ilike(documents.name, likePattern(filters.q)), ilike(documents.sourceUrl, likePattern(filters.q))) : undefined,
    after ? or(lt(documents.createdAt, new Date(after.createdAt)), and(eq(documents.createdAt, new Date(after.createdAt)), lt(documents.id, after.id))) : undefined,
  ];
  const rows = await db
    .select()
    .from(documents)
    .where(inOrg(documents, organizationId, ...conditions))
    .orderBy(desc(documents.createdAt), desc(documents.id))
    .limit(filters.limit + 1);
  const { page, nextCursor } = toPage(rows, filters.limit);
  return { data: await Promise.all(page.map((d) => publicDocument(db, d))), nextCursor };
}

/** The same content already in this knowledge base answers 409 with the existing document. */
async function assertNotDuplicate(db: Database, organizationId: string, kbId: string, hash: string) {
  const [existing] = await db
    .select({ id: documents.id, name: documents.name })
    .from(documents)
    .where(inOrg(documents, organizationId, eq(documents.knowledgeBaseId, kbId), eq(documents.contentHash, hash), ne(documents.status, 'failed'), isNull(documents.parentId)))
    .limit(1);
  if (existing) {
    throw new ApiError('conflict', `The same content is already in this knowledge base as "${existing.name}"`, {
      details: { existingDocumentId: existing.id, existingDocumentName: existing.name },
    });
  }
}

interface StoredContent {
  name: string;
  source: 'file' | 'text' | 'qa';
  mimeType: string;
  bytes: Uint8Array;
}

/** An uploaded file: checked for size and type (from its content, not only its name), then stored. */
export async function uploadDocument(services: Services, organizationId: string, kbId: string, uploadedBy: string | null, file: unknown) {
  const kb = await findKnowledgeBase(services.db, organizationId, kbId);
  if (!(file instanceof File)) {
    throw new ApiError('validation_failed', 'Send the file in a multipart field named "file"', {
      details: [{ path: 'file', message: 'Required', code: 'invalid_type' }],
    });
  }
  if (file.size > services.config.MAX_UPLOAD_BYTES) {
    throw new ApiError('payload_too_large', `Files can be up to ${Math.round(services.config.MAX_UPLOAD_BYTES / 1048576)} MB`);
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes.byteLength === 0) throw new ApiError('validation_failed', 'The file is empty', { details: [{ path: 'file', message: 'Empty file', code: 'too_small' }] });
  const type = detectFileType(bytes, file.name, file.type || undefined);
  if (!type) {
    throw new ApiError('unsupported_media_type', 'Upload a txt, md, html, pdf, docx, xlsx or csv file; this content is not one of them');
  }
  return storeDocument(services, organizationId, kb.id, uploadedBy, { name: file.name || `document.${type}`, source: 'file', mimeType: mimeFor(type), bytes });
}

export type TextDocumentInput = { type: 'text'; name: string; text: string } | { type: 'qa'; name: string; pairs: Array<{ question: string; answer: string }> };

/** A text or Q&A pairs, stored as a file would be. */
export async function addTextDocument(services: Services, organizationId: string, kbId: string, uploadedBy: string | null, input: TextDocumentInput) {
  const kb = await findKnowledgeBase(services.db, organizationId, kbId);
  const text = input.type === 'text' ? input.text : JSON.stringify(input.pairs);
  const mimeType = input.type === 'text' ? 'text/plain' : QA_MIME;
  return storeDocument(services, organizationId, kb.id, uploadedBy, { name: input.name, source: input.type, mimeType, bytes: new TextEncoder().encode(text) });
}

/** The original is kept in blob storage and processed in the background. */
async function storeDocument(services: Services, organizationId: string, kbId: string, uploadedBy: string | null, content: StoredContent) {
  const hash = await sha256Hex(content.bytes);
  await assertNotDuplicate(services.db, organizationId, kbId, hash);
  await assertWithinLimit(services, organizationId, 'storageBytes', content.bytes.byteLength);
  const [doc] = await services.db
    .insert(documents)
    .values({
      organizationId,
      knowledgeBaseId: kbId,
      name: content.name.slice(0, 255),
      source: content.source,
      mimeType: content.mimeType,
      sizeBytes: content.bytes.byteLength,
      contentHash: hash,
      uploadedBy,
    })
    .returning();
  // The original is stored before the row is announced, so the job always finds it.
  await services.blobs.put(blobKeyFor(doc), content.bytes, { contentType: content.mimeType });
  return publicDocument(services.db, await startProcessing(services, doc));
}

export type WebDocumentInput =
  | { type: 'url'; url: string; name?: string; refreshSchedule?: 'daily' | 'weekly' | null }
  | { type: 'website'; url: string; name?: string; maxDepth: number; maxPages: number; useSitemap: boolean; refreshSchedule?: 'daily' | 'weekly' | null };

/** A web page (fetched in the background) or a website (crawled from its URL). */
export async function addWebDocument(services: Services, organizationId: string, kbId: string, uploadedBy: string | null, input: WebDocumentInput) {
  const kb = await findKnowledgeBase(services.db, organizationId, kbId);
  await assertFetchableUrl(services.outbound, input.url);
  const [doc] = await services.db
    .insert(documents)
    .values({
      organizationId,
      knowledgeBaseId: kb.id,
      name: (input.name || input.url).slice(0, 255),
      source: input.type,
      sourceUrl: input.url,
      refreshSchedule: input.refreshSchedule ?? null,
      uploadedBy,
      status: input.type === 'website' ? 'processing' : 'pending',
      metadata: input.type === 'website' ? { maxDepth: input.maxDepth, maxPages: input.maxPages, useSitemap: input.useSitemap } : {},
    })
    .returning();
  if (input.type === 'url') return publicDocument(services.db, await startProcessing(services, doc, { prefetched: false }));
  await enqueueCrawl(services, await addPages(services, doc, [input.url], 0));
  return publicDocument(services.db, doc);
}

export async function updateDocument(
  db: Database,
  organizationId: string,
  kbId: string,
  docId: string,
  changes: { name?: string; refreshSchedule?: 'daily' | 'weekly' | null },
) {
  const doc = await findDocument(db, organizationId, kbId, docId);
  if (changes.refreshSchedule && doc.source !== 'url' && doc.source !== 'website') {
    throw new ApiError('validation_failed', 'Only web pages and websites can be refreshed', {
      details: [{ path: 'refreshSchedule', message: 'Only for url and website documents', code: 'custom' }],
    });
  }
  const [updated] = await db.update(documents).set(changes).where(eq(documents.id, doc.id)).returning();
  return publicDocument(db, updated);
}

export async function deleteDocument(services: Services, organizationId: string, kbId: string, docId: string) {
  const doc = await findDocument(services.db, organizationId, kbId, docId);
  // Rows first: the moment they are gone nothing can surface in search, even while the
  // vector store catches up.
  const pages = doc.source === 'website' ? await services.db.select().from(documents).where(eq(documents.parentId, doc.id)) : [];
  await services.db.delete(documents).where(eq(documents.id, doc.id));
  await deleteDocumentVectors(services, doc, pages);
  if (doc.parentId) await refreshWebsiteStatus(services, doc.parentId);
}

/** Chunks in order; the cursor is the next chunk's position. */
export async function listChunks(db: Database, organizationId: string, kbId: string, docId: string, options: { cursor?: string; limit: number }) {
  const doc = await findDocument(db, organizationId, kbId, docId);
  const from = options.cursor ? Number(options.cursor) : 0;
  if (!Number.isInteger(from) || from < 0) throw new ApiError('bad_request', 'The cursor is not valid; start again without it');
  const rows = await db
    .select({ id: chunks.id, position: chunks.position, content: chunks.content, tokenCount: chunks.tokenCount, location: chunks.location })
    .from(chunks)
    .where(inOrg(chunks, doc.organizationId, eq(chunks.documentId, doc.id), gt(chunks.position, from - 1)))
    .orderBy(asc(chunks.position))
    .limit(options.limit + 1);
  const page = rows.slice(0, options.limit);
  return { data: page, nextCursor: rows.length > options.limit ? String(page[page.length - 1].position + 1) : null };
}

/** Extract, chunk and embed again; a website re-crawls. */
export async function reprocessDocument(services: Services, organizationId: string, kbId: string, docId: string) {
  const doc = await findDocument(services.db, organizationId, kbId, docId);
  if (doc.source === 'website') {
    await services.queue.enqueue('refresh-document', { documentId: doc.id }, { retries: 3 });
    return publicDocument(services.db, doc);
  }
  return publicDocument(services.db, await startProcessing(services, doc));
}

/** Fetch a web page or website again; only changed pages are re-indexed. */
export async function refreshDocument(services: Services, organizationId: string, kbId: string, docId: string) {
  const doc = await findDocument(services.db, organizationId, kbId, docId);
  if (doc.source !== 'url' && doc.source !== 'website') {
    throw new ApiError('bad_request', 'Only web pages and websites can be refreshed; use reprocess for other documents');
  }
  await services.queue.enqueue('refresh-document', { documentId: doc.id }, { retries: 3 });
  return publicDocument(services.db, doc);
}
