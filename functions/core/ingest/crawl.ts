import { count, eq } from 'drizzle-orm';
import { documents } from '../../../db/schema';
import type { Services } from '../../ports';
import { INGEST_JOB_RETRIES } from './pipeline';

/**
 * Website import as jobs, one page per job (so no invocation exceeds the edge's limits): a
 * `crawl-page` job fetches its page, records same-site links as new pending pages (within the
 * website's depth and page limits, robots.txt respected), and hands the page to `ingest-document`.
 * Pages exist as rows from the moment they are found, so the website shows `processing` until
 * the last one settles, and the unique (parent, url) index keeps a page from being added twice.
 */

export interface WebsiteSettings {
  maxDepth: number;
  maxPages: number;
  useSitemap: boolean;
}

type DocumentRow = typeof documents.$inferSelect;

function normalizePageUrl(raw: string): string {
  const url = new URL(raw);
  url.hash = '';
  return url.toString();
}

/** Adds pages under a website, within its page limit; returns the rows actually created. */
export async function addPages(services: Services, website: DocumentRow, urls: string[], depth: number): Promise<DocumentRow[]> {
  if (urls.length === 0) return [];
  const settings = website.metadata as unknown as WebsiteSettings;
  return services.db.transaction(async (tx) => {
    // Serialize page creation per website so concurrent crawl jobs cannot overshoot maxPages.
    await tx.select({ id: documents.id }).from(documents).where(eq(documents.id, website.id)).for('update');
    const [{ n }] = await tx.select({ n: count() }).from(documents).where(eq(documents.parentId, website.id));
    const room = Math.max(0, settings.maxPages - n);
    const unique = [...new Set(urls.map(normalizePageUrl))].slice(0, room);
    if (unique.length === 0) return [];
    return tx
      .insert(documents)
      .values(
        unique.map((url) => ({
          organizationId: website.organizationId,
          knowledgeBaseId: website.knowledgeBaseId,
          parentId: website.id,
          name: url.slice(0, 255),
          source: 'url' as const,
          sourceUrl: url,
          status: 'pending' as const,
          refreshSchedule: null,
          uploadedBy: website.uploadedBy,
          metadata: { depth },
        })),
      )
      .onConflictDoNothing({ target: [documents.parentId, documents.sourceUrl] })
      .returning();
  });
}

export async function enqueueCrawl(services: Services, pages: DocumentRow[], options: { discoverOnly?: boolean } = {}) {
  for (const page of pages) {
    await services.queue.enqueue(
      'crawl-page',
      { documentId: page.id, discoverOnly: options.discoverOnly ?? false },
      { retries: INGEST_JOB_RETRIES, ...(options.discoverOnly ? {} : { deduplicationId: `crawl:${page.id}` }) },
    );
  }
}
