import type { JobTable } from '../jobs/registry';
import type { IngestJobName } from '../jobs/catalog';
import { crawlPage } from './crawl-page';
import { giveUpIngestion } from './pipeline';
import { embedChunks, ingestDocument } from './process-document';
import { refreshDocument } from './refresh';
import { reembedKnowledgeBase } from '../knowledge/reembed-job';

/**
 * The ingestion jobs' handlers (core/jobs/catalog.ts INGEST_JOBS). The edge's ingestion worker
 * serves only these; importing this module brings in every extractor.
 */
export const ingestJobs: JobTable = {
  handlers: {
    'ingest-document': ingestDocument,
    'embed-chunks': embedChunks,
    'crawl-page': crawlPage,
    'refresh-document': refreshDocument,
    'reembed-knowledge-base': (services, payload) => reembedKnowledgeBase(services, payload),
  } satisfies { [N in IngestJobName]: NonNullable<JobTable['handlers'][N]> },
  giveUps: { 'ingest-document': giveUpIngestion, 'embed-chunks': giveUpIngestion },
};
