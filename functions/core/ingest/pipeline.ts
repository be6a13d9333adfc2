import { and, count, eq, gte, inArray, lt, ne, notExists, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { documents, knowledgeBases } from '../../../db/schema';
import type { Services } from '../../ports';
import type { JobMeta } from '../jobs/meta';
import { liveNamespaces, vectorId } from '../retrieval/namespace';
import { detectFileType } from './detect';
import { publishDocumentStatus } from './document-events';
import { safeFetch } from './fetch-url';
import { ExtractionError, type SupportedType } from './types';
import { storableReason } from '../../lib/text';
import { sha256Hex } from '../../lib/crypto';

/**
 * The request-side half of ingestion: starting (re)processing, document state (failed, website
 * status, the sweep), originals and vectors of deleted documents. Nothing here extracts or
 * chunks: the jobs that do (`process-document.ts`, `crawl-page.ts`) run in the ingestion worker
 * at the edge (functions/ingest-worker.ts), so the request worker never loads the PDF library.
 */

/** Retries QStash / the local runner give each ingestion job before we call it failed. */
export const INGEST_JOB_RETRIES = 3;

export type { JobMeta };

type DocumentRow = typeof documents.$inferSelect;

export function blobKeyFor(doc: Pick<DocumentRow, 'organizationId' | 'knowledgeBaseId' | 'id'>): string {
  return `kb/${doc.organizationId}/${doc.knowledgeBaseId}/${doc.id}`;
}

export const QA_MIME = 'application/vnd.versaai.qa+json';

export async function loadCurrent(services: Services, documentId: string, generation: number): Promise<DocumentRow | null> {
  const [doc] = await services.db.select().from(documents).where(eq(documents.id, documentId)).limit(1);
  return doc && doc.generation === generation ? doc : null;
}

export async function markFailed(services: Services, doc: Pick<DocumentRow, 'id' | 'generation' | 'parentId'>, reason: string) {
  // The reason often quotes the document or a library's message: made storable so that marking
  // the failure can never fail on its text (a NUL in it used to leave the document `processing`).
  const error = storableReason(reason);
  const current = and(eq(documents.id, doc.id), eq(documents.generation, doc.generation));
  // Conditional on the status, so `document.failed` goes out once per failure; a document that
  // already failed only gets the newer reason.
  const [failed] = await services.db.update(documents).set({ status: 'failed', error }).where(and(current, ne(documents.status, 'failed'))).returning();
  if (failed) await publishDocumentStatus(services, failed);
  else await services.db.update(documents).set({ error }).where(current);
  if (doc.parentId) await refreshWebsiteStatus(services, doc.parentId);
}

export function userAgent(services: Services) {
  return `VersaAIBot/1.0 (+${services.config.APP_URL})`;
}

/** Fetches a URL source and keeps the original as the document's blob. */
export async function fetchIntoBlob(services: Services, doc: DocumentRow) {
  const fetched = await safeFetch(services.outbound, doc.sourceUrl!, {
    maxBytes: services.config.MAX_UPLOAD_BYTES,
    userAgent: userAgent(services),
  });
  const type = typeOfFetched(fetched.contentType, fetched.url, fetched.bytes);
  if (!type) throw new ExtractionError(`Unsupported content type "${fetched.contentType || 'unknown'}" at ${fetched.url}`);
  const hash = await sha256Hex(fetched.bytes);
  await services.blobs.put(blobKeyFor(doc), fetched.bytes, { contentType: fetched.contentType });
  return { ...fetched, type, hash };
}

function typeOfFetched(contentType: string, url: string, bytes: Uint8Array): SupportedType | null {
  const name = new URL(url).pathname.split('/').pop() || 'index.html';
  const byMime: Record<string, string> = {
    'text/html': 'page.html',
    'application/xhtml+xml': 'page.html',
    'application/pdf': 'file.pdf',
    'text/plain': 'file.txt',
    'text/markdown': 'file.md',
    'text/csv': 'file.csv',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'file.docx',
  };
  return detectFileType(bytes, byMime[contentType] ?? name, contentType);
}

/** A website is processing while any page is, ready when at least one page is, else failed. */
export async function refreshWebsiteStatus(services: Services, websiteId: string) {
  const { db } = services;
  const rows = await db
    .select({ status: documents.status, n: count() })
    .from(documents)
    .where(eq(documents.parentId, websiteId))
    .groupBy(documents.status);
  const by = Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
  const [website] = await db.select({ metadata: documents.metadata }).from(documents).where(eq(documents.id, websiteId));
  if (!website) return;
  const crawling = Number((website.metadata as { crawlsInFlight?: number }).crawlsInFlight ?? 0) > 0;
  const status = (by.pending ?? 0) + (by.processing ?? 0) > 0 || crawling ? 'processing' : (by.ready ?? 0) > 0 ? 'ready' : 'failed';
  const pages = rows.reduce((sum, r) => sum + r.n, 0);
  const error = status === 'failed' ? (pages === 0 ? 'No pages could be imported from this website' : 'None of the pages could be imported') : null;
  // Announced once when the website as a whole becomes ready or failed.
  const [changed] = await db
    .update(documents)
    .set({ status, error })
    .where(and(eq(documents.id, websiteId), ne(documents.status, status)))
    .returning();
  if (changed) await publishDocumentStatus(services, changed);
  else if (status === 'failed') await db.update(documents).set({ error }).where(eq(documents.id, websiteId));
}

/** How long a document may stay pending or processing before the sweep calls it failed. */
export const STUCK_DOCUMENT_MINUTES = 60;

/**
 * Sweep: documents left `pending` or `processing` past the deadline (a job lost with its queue
 * message, a process killed mid-step, a failure that could not even be recorded) are marked
 * failed with the reason, so none spins forever. Websites follow their pages.
 *
 * A document waiting its turn behind others of its knowledge base is queued, not stuck: while
 * any document of that knowledge base changed within the deadline, ingestion there is moving
 * (500 documents uploaded at once wait longer than an hour on a small machine, and failing them
 * would turn a long queue into lost work). A lost job is failed once its knowledge base is quiet.
 */
export async function failStuckDocuments(services: Services, olderThanMinutes = STUCK_DOCUMENT_MINUTES) {
  const deadline = new Date(Date.now() - olderThanMinutes * 60_000);
  const recent = alias(documents, 'recent');
  const stuck = await services.db
    .select({ id: documents.id, generation: documents.generation, parentId: documents.parentId })
    .from(documents)
    .where(
      and(
        inArray(documents.status, ['pending', 'processing']),
        ne(documents.source, 'website'),
        lt(documents.updatedAt, deadline),
        notExists(
          services.db
            .select({ one: sql`1` })
            .from(recent)
            .where(and(eq(recent.knowledgeBaseId, documents.knowledgeBaseId), gte(recent.updatedAt, deadline))),
        ),
      ),
    )
    .limit(1000);
  for (const doc of stuck) {
    await markFailed(services, doc, `Processing did not finish within ${olderThanMinutes} minutes; process the document again`);
  }
  return { failed: stuck.length };
}

/** Last attempt of an ingestion job failed outside the guarded step: the document records why. */
export async function giveUpIngestion(services: Services, payload: { documentId: string; generation: number }, reason: string) {
  const doc = await loadCurrent(services, payload.documentId, payload.generation);
  if (doc && doc.status !== 'ready') await markFailed(services, doc, reason);
}

/** Starts (re)processing: a new generation, pending, and the ingest job. */
export async function startProcessing(services: Services, doc: Pick<DocumentRow, 'id'>, options: { prefetched?: boolean } = {}) {
  const [updated] = await services.db
    .update(documents)
    .set({
      generation: sql`${documents.generation} + 1`,
      status: 'pending',
      error: null,
      chunksDone: 0,
      ...(options.prefetched === undefined ? {} : { metadata: sql`${documents.metadata} || ${JSON.stringify({ prefetched: options.prefetched })}::jsonb` }),
    })
    .where(eq(documents.id, doc.id))
    .returning();
  await services.queue.enqueue(
    'ingest-document',
    { documentId: updated.id, generation: updated.generation },
    { retries: INGEST_JOB_RETRIES, deduplicationId: `ingest:${updated.id}:${updated.generation}` },
  );
  return updated;
}

/** Where a knowledge base's vectors may be: its current namespace and, during a model switch, the next. */
export async function knowledgeBaseNamespaces(services: Pick<Services, 'db'>, knowledgeBaseId: string): Promise<string[]> {
  const [kb] = await services.db
    .select({ id: knowledgeBases.id, vectorGeneration: knowledgeBases.vectorGeneration, pendingEmbeddingModel: knowledgeBases.pendingEmbeddingModel })
    .from(knowledgeBases)
    .where(eq(knowledgeBases.id, knowledgeBaseId));
  return kb ? liveNamespaces(kb) : [];
}

/** Removes the vectors and originals of a deleted document and of its pages (for a website). */
export async function deleteDocumentVectors(services: Services, doc: DocumentRow, pages: DocumentRow[] = []) {
  const namespaces = await knowledgeBaseNamespaces(services, doc.knowledgeBaseId);
  for (const d of [doc, ...pages]) {
    if (d.chunkCount === 0) continue;
    const ids = Array.from({ length: d.chunkCount }, (_, i) => vectorId(d.id, i));
    for (const namespace of namespaces) {
      for (let i = 0; i < ids.length; i += 1000) await services.vectors.deleteIds(namespace, ids.slice(i, i + 1000));
    }
  }
  for (const d of [doc, ...pages]) await services.blobs.delete(blobKeyFor(d)).catch(() => {});
}
