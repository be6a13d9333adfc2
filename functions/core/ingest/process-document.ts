import { and, asc, count, eq, gte, inArray, isNotNull, isNull, lt, lte, ne, sql } from 'drizzle-orm';
import { chunks, documents, knowledgeBases } from '../../../db/schema';
import type { Database, Services } from '../../ports';
import type { JobMeta } from '../jobs/meta';
import { currentNamespace, vectorId } from '../retrieval/namespace';
import { chunkDocument, qaSections, textSections } from './chunk';
import { cleanExtracted, inProcessOffload, preparedFromChunks, type PreparedDocument } from './prepare';
import { detectFileType } from './detect';
import { publishDocumentStatus } from './document-events';
import { FetchFailure } from './fetch-url';
import { INGEST_JOB_RETRIES, blobKeyFor, fetchIntoBlob, knowledgeBaseNamespaces, loadCurrent, markFailed, refreshWebsiteStatus } from './pipeline';
import { ExtractionError, type ChunkingSettings, type ExtractedDocument } from './types';

/**
 * The ingestion pipeline as background jobs:
 *   ingest-document: get bytes -> extract -> chunk -> store chunks -> fan out embed batches
 *   embed-chunks:    embed one batch -> upsert vectors -> mark chunks embedded -> maybe `ready`
 * Every step is idempotent (same chunks, same vector ids `${documentId}#${position}`), and a job
 * of an older `generation` stops without writing, so re-processing never mixes two versions.
 * Search only sees documents whose status is `ready`, so nothing half-written is searchable.
 * This module loads the extractors (the PDF library among them): at the edge only the ingestion
 * worker imports it (core/ingest/jobs.ts).
 */

export const EMBED_BATCH_SIZE = 64;
/** Chunks written (or deleted) per statement: a few milliseconds of database time each. */
const CHUNK_WRITE_BATCH = 200;

type DocumentRow = typeof documents.$inferSelect;

/** Runs a step; a permanent problem marks the document failed, a transient one retries until the last attempt. */
async function guarded(services: Services, doc: DocumentRow, meta: JobMeta, step: () => Promise<void>) {
  try {
    await step();
  } catch (error) {
    const permanent = error instanceof ExtractionError || (error instanceof FetchFailure && error.permanent);
    if (permanent || meta.retried >= INGEST_JOB_RETRIES) {
      const reason = permanent ? (error as Error).message : `Gave up after ${meta.retried + 1} attempts: ${(error as Error).message}`;
      await markFailed(services, doc, reason);
      return;
    }
    throw error;
  }
}

interface Prepared {
  prepared: PreparedDocument;
  hash?: string;
  size?: number;
}

/** Text and chunks of the document, computed by the runtime's offload (a worker thread on Node). */
async function prepareFor(services: Services, doc: DocumentRow, settings: ChunkingSettings): Promise<Prepared> {
  const offload = services.ingestOffload ?? inProcessOffload;
  if (doc.source === 'url' && !(doc.metadata as { prefetched?: boolean }).prefetched) {
    const fetched = await fetchIntoBlob(services, doc);
    const prepared = await offload.prepare({ bytes: fetched.bytes, type: fetched.type, sourceUrl: fetched.url, settings });
    return { prepared, hash: fetched.hash, size: fetched.bytes.byteLength };
  }
  const blob = await services.blobs.get(blobKeyFor(doc));
  if (!blob) throw new ExtractionError('The original file is missing; upload it again');
  // Typed text and Q&A pairs are bounded by the JSON body limit: chunked right here.
  if (doc.source === 'qa') {
    const pairs = JSON.parse(new TextDecoder().decode(blob.body)) as Array<{ question: string; answer: string }>;
    return { prepared: chunkedHere(qaSections(pairs), { ...settings, strategy: 'qa' }) };
  }
  if (doc.source === 'text') return { prepared: chunkedHere(textSections(new TextDecoder().decode(blob.body)), settings) };
  const type = detectFileType(blob.body, doc.source === 'url' ? 'page.html' : doc.name, doc.mimeType ?? undefined);
  if (!type) throw new ExtractionError('The file type is not supported');
  return { prepared: await offload.prepare({ bytes: blob.body, type, sourceUrl: doc.sourceUrl ?? undefined, fileName: doc.name, settings }) };
}

function chunkedHere(raw: ExtractedDocument, settings: ChunkingSettings): PreparedDocument {
  const extracted = cleanExtracted(raw);
  const pieces = chunkDocument(extracted, settings);
  return preparedFromChunks({ title: extracted.title, pageCount: extracted.pageCount, chunkCount: pieces.length, tokenCount: pieces.reduce((sum, p) => sum + p.tokenCount, 0) }, pieces);
}

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/** Lets requests waiting on the event loop (and their statements) run between two batches of a job. */
const yieldToRequests = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Runs `write` in a short transaction that first locks the document row and checks the
 * generation: a re-process bumps it, so an older job stops at its next batch instead of mixing
 * two versions. False when the document moved on.
 */
async function whileCurrent(services: Services, doc: DocumentRow, write: (tx: Transaction) => Promise<void>): Promise<boolean> {
  return services.db.transaction(async (tx) => {
    const [locked] = await tx.select({ generation: documents.generation }).from(documents).where(eq(documents.id, doc.id)).for('update');
    if (!locked || locked.generation !== doc.generation) return false;
    await write(tx);
    return true;
  });
}

/**
 * Replaces the document's chunks in bounded batches, each its own short transaction, so a
 * 26,000-chunk CSV never holds the database (one connection locally) for more than a batch.
 * Nothing is searchable meanwhile: search only reads `ready` documents.
 */
async function replaceChunks(services: Services, doc: DocumentRow, prepared: PreparedDocument): Promise<boolean> {
  // Deleting a chunk takes back its term statistics, as dear as adding them: sized the same way.
  const deleteSize = adaptiveBatchSize();
  for (;;) {
    let deleted = 0;
    const limit = deleteSize.current;
    const started = performance.now();
    const current = await whileCurrent(services, doc, async (tx) => {
      const batch = tx.select({ id: chunks.id }).from(chunks).where(eq(chunks.documentId, doc.id)).limit(limit);
      deleted = (await tx.delete(chunks).where(inArray(chunks.id, batch)).returning({ id: chunks.id })).length;
    });
    if (!current) return false;
    if (deleted < limit) break;
    deleteSize.took(performance.now() - started);
    await yieldToRequests();
  }
  const size = adaptiveBatchSize();
  for (let from = 0; from < prepared.chunkCount; ) {
    const to = Math.min(from + size.current, prepared.chunkCount);
    const pieces = await prepared.read(from, to);
    const started = performance.now();
    const current = await whileCurrent(services, doc, async (tx) => {
      await tx.insert(chunks).values(
        pieces.map((piece) => ({
          organizationId: doc.organizationId,
          knowledgeBaseId: doc.knowledgeBaseId,
          documentId: doc.id,
          position: piece.position,
          content: piece.content,
          tokenCount: piece.tokenCount,
          location: piece.location,
        })),
      );
    });
    if (!current) return false;
    size.took(performance.now() - started);
    from = to;
    await yieldToRequests();
  }
  return true;
}

/** How long one write of chunks should hold the database: each (re)indexes its text and updates the term statistics. */
const CHUNK_WRITE_TARGET_MS = 10;
/**
 * A chunk of a catalogue CSV carries a hundred distinct lexemes (SKUs, prices), each a GIN entry
 * and a term-statistics upsert: ten such chunks already held the connection past the target, so
 * batches go down to one chunk, and start small (the first insert is the one not yet measured).
 */
const CHUNK_WRITE_MIN = 1;
const CHUNK_WRITE_INITIAL = 8;

/**
 * Batch sizes (rows per insert, delete or update of chunks) that follow how long the last one
 * took, so each holds the database (on the local runtime, the event loop too) for about
 * CHUNK_WRITE_TARGET_MS whatever the chunks' length or the machine: long chunks or a busy machine
 * make smaller batches.
 */
function adaptiveBatchSize() {
  let current = CHUNK_WRITE_INITIAL;
  return {
    get current() {
      return current;
    },
    took(ms: number) {
      if (ms > CHUNK_WRITE_TARGET_MS * 1.5) current = Math.max(CHUNK_WRITE_MIN, Math.floor(current / 2));
      else if (ms < CHUNK_WRITE_TARGET_MS / 2) current = Math.min(CHUNK_WRITE_BATCH, current * 2);
    },
  };
}

/** Job `ingest-document`: extract, chunk, store chunks, and hand embedding to batch jobs. */
export async function ingestDocument(services: Services, payload: { documentId: string; generation: number }, meta: JobMeta) {
  const doc = await loadCurrent(services, payload.documentId, payload.generation);
  if (!doc) return { skipped: 'stale or deleted' };
  const { db } = services;
  await guarded(services, doc, meta, async () => {
    await db.update(documents).set({ status: 'processing', error: null }).where(and(eq(documents.id, doc.id), eq(documents.generation, doc.generation)));
    const [kb] = await db.select().from(knowledgeBases).where(eq(knowledgeBases.id, doc.knowledgeBaseId));
    const { prepared, hash, size } = await prepareFor(services, doc, kb.chunking);
    try {
      if (prepared.chunkCount === 0) throw new ExtractionError('The document has no text');
      const previousCount = doc.chunkCount;
      if (!(await replaceChunks(services, doc, prepared))) return;
      const stillCurrent = await whileCurrent(services, doc, async (tx) => {
        await tx
          .update(documents)
          .set({
            chunkCount: prepared.chunkCount,
            // Counted, not 0: an embed batch of an earlier delivery of this job may have marked
            // some of the new chunks already, and markEmbedded counts each chunk only once.
            chunksDone: sql`(SELECT count(*)::int FROM ${chunks} WHERE ${chunks.documentId} = ${doc.id} AND ${chunks.embeddedAt} IS NOT NULL)`,
            tokenCount: prepared.tokenCount,
            pageCount: prepared.pageCount ?? null,
            ...(hash ? { contentHash: hash, sizeBytes: size, lastRefreshedAt: new Date() } : {}),
            ...(prepared.title && doc.source === 'url' ? { name: prepared.title.slice(0, 255) } : {}),
          })
          .where(eq(documents.id, doc.id));
      });
      if (!stillCurrent) return;

      // Vectors past the new end belong to the previous version of the document.
      if (previousCount > prepared.chunkCount) {
        const stale = Array.from({ length: previousCount - prepared.chunkCount }, (_, i) => vectorId(doc.id, prepared.chunkCount + i));
        for (const namespace of await knowledgeBaseNamespaces(services, doc.knowledgeBaseId)) await services.vectors.deleteIds(namespace, stale);
      }
      for (let from = 0; from < prepared.chunkCount; from += EMBED_BATCH_SIZE) {
        await services.queue.enqueue(
          'embed-chunks',
          { documentId: doc.id, generation: doc.generation, from, to: Math.min(from + EMBED_BATCH_SIZE, prepared.chunkCount) },
          // No deduplication id: a redelivered ingest rewrites the chunks and needs its batches
          // again; a redelivered batch finds its chunks embedded and does nothing.
          { retries: INGEST_JOB_RETRIES },
        );
      }
    } finally {
      prepared.close();
    }
  });
  return { chunks: doc.chunkCount };
}

/** Job `embed-chunks`: one batch of vectors; the last batch to finish makes the document `ready`. */
export async function embedChunks(
  services: Services,
  payload: { documentId: string; generation: number; from: number; to: number },
  meta: JobMeta,
) {
  const doc = await loadCurrent(services, payload.documentId, payload.generation);
  if (!doc) return { skipped: 'stale or deleted' };
  const { db } = services;
  await guarded(services, doc, meta, async () => {
    const [kb] = await db.select().from(knowledgeBases).where(eq(knowledgeBases.id, doc.knowledgeBaseId));
    const batch = await db
      .select({ id: chunks.id, position: chunks.position, content: chunks.content })
      .from(chunks)
      .where(and(eq(chunks.documentId, doc.id), gte(chunks.position, payload.from), lt(chunks.position, payload.to), isNull(chunks.embeddedAt)))
      .orderBy(asc(chunks.position));
    if (batch.length > 0) {
      const embedder = services.embeddings.get(kb.embeddingModel);
      const values = await (services.ingestOffload ?? inProcessOffload).embed(embedder, batch.map((c) => c.content));
      await services.vectors.upsert(
        currentNamespace(kb),
        batch.map((c, i) => ({
          id: vectorId(doc.id, c.position),
          values: values[i],
          metadata: { documentId: doc.id, chunkId: c.id, position: c.position, organizationId: doc.organizationId },
        })),
      );
      // Each chunk's new row version recomputes its full-text vector and is indexed again (its
      // full-text entries too): a catalogue chunk's hundred lexemes make even a few rows long, so
      // the rows per statement follow the last statement's duration, like the inserts.
      const embeddedAt = new Date();
      const markSize = adaptiveBatchSize();
      for (let i = 0; i < batch.length; ) {
        if (i > 0) await yieldToRequests();
        const ids = batch.slice(i, i + markSize.current).map((c) => c.id);
        const started = performance.now();
        await markEmbedded(db, doc, ids, embeddedAt, kb.vectorGeneration);
        markSize.took(performance.now() - started);
        i += ids.length;
      }
    }
    await updateProgress(services, doc);
  });
  return { embedded: payload.to - payload.from };
}

/**
 * Marks chunks embedded and adds the ones it marked to the document's `chunksDone`, in one
 * statement: progress is counted as chunks are marked, never by recounting the document's chunks
 * (one count per batch read every chunk of a 40,000-chunk catalogue each time, quadratic in all).
 * Only this statement sets `embedded_at`, so each chunk is counted once, and being one statement
 * no crash or redelivery can mark chunks without counting them.
 * GREATEST: a model switch may have embedded these chunks into the next generation already.
 */
async function markEmbedded(db: Database, doc: DocumentRow, ids: string[], embeddedAt: Date, vectorGeneration: number) {
  await db.execute(sql`
    WITH marked AS (
      UPDATE ${chunks} SET embedded_at = ${embeddedAt.toISOString()}::timestamptz, vector_generation = greatest(vector_generation, ${vectorGeneration})
      WHERE id = ANY(${sql.param(ids)}::uuid[]) AND embedded_at IS NULL
      RETURNING 1
    )
    UPDATE ${documents} SET chunks_done = chunks_done + (SELECT count(*) FROM marked)
    WHERE id = ${doc.id} AND generation = ${doc.generation}`);
}

async function updateProgress(services: Services, doc: DocumentRow) {
  const { db } = services;
  const current = and(eq(documents.id, doc.id), eq(documents.generation, doc.generation));
  // The batch that completes the document flips it to ready and announces it; batches finishing
  // together race on the conditional update, and only one wins.
  const [ready] = await db
    .update(documents)
    .set({ status: 'ready' })
    .where(and(current, ne(documents.status, 'ready'), sql`${documents.chunksDone} >= ${documents.chunkCount}`))
    .returning();
  if (ready) await publishDocumentStatus(services, ready);
  if (doc.parentId) await refreshWebsiteStatus(services, doc.parentId);
}

