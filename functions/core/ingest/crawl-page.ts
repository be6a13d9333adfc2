import { and, eq } from 'drizzle-orm';
import robotsParser from 'robots-parser';
import { documents } from '../../../db/schema';
import type { Services } from '../../ports';
import { addPages, enqueueCrawl, type WebsiteSettings } from './crawl';
import { extractDocument } from './extract';
import { FetchFailure, safeFetch } from './fetch-url';
import { INGEST_JOB_RETRIES, fetchIntoBlob, markFailed, refreshWebsiteStatus, startProcessing, userAgent, type JobMeta } from './pipeline';
import { ExtractionError } from './types';

/**
 * Job `crawl-page`: reading one page of a website (crawl.ts has the rest of the crawl). It
 * extracts the page to find its links, so at the edge it runs in the ingestion worker.
 */

const ROBOTS_TTL_SECONDS = 3600;
const BOT_NAME = 'VersaAIBot';

async function robotsFor(services: Services, pageUrl: string) {
  const origin = new URL(pageUrl).origin;
  const key = `robots:${origin}`;
  let text = await services.kv.get<string>(key);
  if (text === null) {
    try {
      const fetched = await safeFetch(services.outbound, `${origin}/robots.txt`, {
        maxBytes: 512 * 1024,
        userAgent: userAgent(services),
        accept: 'text/plain',
      });
      text = new TextDecoder().decode(fetched.bytes);
    } catch (error) {
      // A missing robots.txt (404) means everything is allowed; a network error is retried.
      if (!(error instanceof FetchFailure && error.permanent)) throw error;
      text = '';
    }
    await services.kv.set(key, text, { ttlSeconds: ROBOTS_TTL_SECONDS });
  }
  return robotsParser(`${origin}/robots.txt`, text);
}

async function sitemapUrls(services: Services, rootUrl: string): Promise<string[]> {
  try {
    const fetched = await safeFetch(services.outbound, `${new URL(rootUrl).origin}/sitemap.xml`, {
      maxBytes: 5 * 1024 * 1024,
      userAgent: userAgent(services),
      accept: 'application/xml,text/xml',
    });
    const xml = new TextDecoder().decode(fetched.bytes);
    return [...xml.matchAll(/<loc>\s*([^<\s]+)\s*<\/loc>/gi)].map((m) => m[1]).filter((u) => sameSite(u, rootUrl));
  } catch {
    return [];
  }
}

function sameSite(url: string, root: string): boolean {
  try {
    return new URL(url).origin === new URL(root).origin;
  } catch {
    return false;
  }
}

/** Job `crawl-page`. */
export async function crawlPage(services: Services, payload: { documentId: string; discoverOnly?: boolean }, meta: JobMeta) {
  const { db } = services;
  const [page] = await db.select().from(documents).where(eq(documents.id, payload.documentId));
  if (!page?.parentId) return { skipped: 'page deleted' };
  const [website] = await db.select().from(documents).where(and(eq(documents.id, page.parentId), eq(documents.organizationId, page.organizationId)));
  if (!website) return { skipped: 'website deleted' };
  const settings = website.metadata as unknown as WebsiteSettings;
  const depth = Number((page.metadata as { depth?: number }).depth ?? 0);

  try {
    const robots = await robotsFor(services, page.sourceUrl!);
    if (robots.isDisallowed(page.sourceUrl!, BOT_NAME)) {
      await markFailed(services, page, 'robots.txt asks crawlers not to read this page');
      return { skipped: 'robots.txt' };
    }
    const fetched = await fetchIntoBlob(services, page);
    const extracted = await extractDocument({ bytes: fetched.bytes, type: fetched.type, sourceUrl: fetched.url });
    let links = (extracted.links ?? []).filter((u) => sameSite(u, website.sourceUrl!) && !robots.isDisallowed(u, BOT_NAME));
    if (depth === 0 && settings.useSitemap) links = [...(await sitemapUrls(services, website.sourceUrl!)), ...links];
    if (depth < settings.maxDepth) {
      await enqueueCrawl(services, await addPages(services, website, links, depth + 1));
    }
    if (payload.discoverOnly && page.contentHash === fetched.hash) return { unchanged: true };
    await db
      .update(documents)
      .set({ metadata: { ...page.metadata, prefetched: true }, contentHash: fetched.hash, sizeBytes: fetched.bytes.byteLength, lastRefreshedAt: new Date() })
      .where(eq(documents.id, page.id));
    await startProcessing(services, page, { prefetched: true });
  } catch (error) {
    const permanent = error instanceof ExtractionError || (error instanceof FetchFailure && error.permanent);
    if (permanent || meta.retried >= INGEST_JOB_RETRIES) {
      await markFailed(services, page, (error as Error).message);
      await refreshWebsiteStatus(services, website.id);
      return { failed: (error as Error).message };
    }
    throw error;
  }
  return { depth };
}
