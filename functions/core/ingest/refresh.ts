import { and, eq, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import { documents } from '../../../db/schema';
import type { Services } from '../../ports';
import { enqueueCrawl } from './crawl';
import { FetchFailure } from './fetch-url';
import { INGEST_JOB_RETRIES, fetchIntoBlob, markFailed, startProcessing, type JobMeta } from './pipeline';
import { ExtractionError } from './types';

/**
 * Keeping URL and website sources fresh: a refresh fetches again and re-indexes only when the
 * content hash changed, so an unchanged page costs one request and no embeddings.
 */

/** Job `refresh-document`. */
export async function refreshDocument(services: Services, payload: { documentId: string }, meta: JobMeta) {
  const { db } = services;
  const [doc] = await db.select().from(documents).where(eq(documents.id, payload.documentId));
  if (!doc || (doc.source !== 'url' && doc.source !== 'website')) return { skipped: 'not a web source' };

  if (doc.source === 'website') {
    const pages = await db.select().from(documents).where(eq(documents.parentId, doc.id));
    for (const page of pages) {
      await services.queue.enqueue('refresh-document', { documentId: page.id }, { retries: INGEST_JOB_RETRIES });
    }
    // Pages added to the site since the last crawl are found from the start page again.
    const start = pages.find((p) => Number((p.metadata as { depth?: number }).depth ?? 0) === 0);
    if (start) await enqueueCrawl(services, [start], { discoverOnly: true });
    await db.update(documents).set({ lastRefreshedAt: new Date() }).where(eq(documents.id, doc.id));
    return { pages: pages.length };
  }

  try {
    const fetched = await fetchIntoBlob(services, doc);
    if (fetched.hash === doc.contentHash && doc.status === 'ready') {
      await db.update(documents).set({ lastRefreshedAt: new Date() }).where(eq(documents.id, doc.id));
      return { changed: false };
    }
    await db
      .update(documents)
      .set({ contentHash: fetched.hash, sizeBytes: fetched.bytes.byteLength })
      .where(eq(documents.id, doc.id));
    await startProcessing(services, doc, { prefetched: true });
    return { changed: true };
  } catch (error) {
    const permanent = error instanceof ExtractionError || (error instanceof FetchFailure && error.permanent);
    if (permanent || meta.retried >= INGEST_JOB_RETRIES) {
      await markFailed(services, doc, `Refresh failed: ${(error as Error).message}`);
      return { failed: true };
    }
    throw error;
  }
}

const DAY_MS = 86_400_000;

/** Job `refresh-due-sources` (daily trigger): queues the refresh of every source that is due. */
export async function refreshDueSources(services: Services) {
  const now = Date.now();
  // A little slack so a daily source refreshed at 00:06 yesterday is due at 00:05 today.
  const dailyCutoff = new Date(now - DAY_MS + 3_600_000);
  const weeklyCutoff = new Date(now - 7 * DAY_MS + 3_600_000);
  const due = await services.db
    .select({ id: documents.id })
    .from(documents)
    .where(
      and(
        isNotNull(documents.refreshSchedule),
        or(
          isNull(documents.lastRefreshedAt),
          and(eq(documents.refreshSchedule, 'daily'), lt(documents.lastRefreshedAt, dailyCutoff)),
          and(eq(documents.refreshSchedule, 'weekly'), lt(documents.lastRefreshedAt, weeklyCutoff)),
        ),
        sql`${documents.status} <> 'pending' and ${documents.status} <> 'processing'`,
      ),
    );
  for (const { id } of due) {
    await services.queue.enqueue('refresh-document', { documentId: id }, { retries: INGEST_JOB_RETRIES });
  }
  return { queued: due.length };
}
