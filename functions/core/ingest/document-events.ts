import type { documents } from '../../../db/schema';
import type { Services } from '../../ports';
import { publishEvent } from '../events/publish';

/**
 * `document.ready` / `document.failed`: published once per transition into that status (the
 * pipeline's conditional updates make sure of it), for uploads, imported pages and websites.
 */
type DocumentRow = typeof documents.$inferSelect;

export function documentEventData(doc: DocumentRow) {
  return {
    documentId: doc.id,
    document: {
      id: doc.id,
      knowledgeBaseId: doc.knowledgeBaseId,
      parentId: doc.parentId,
      name: doc.name,
      source: doc.source,
      sourceUrl: doc.sourceUrl,
      status: doc.status,
      error: doc.error,
      chunkCount: doc.chunkCount,
      tokenCount: doc.tokenCount,
      updatedAt: doc.updatedAt.toISOString(),
    },
  };
}

export async function publishDocumentStatus(services: Services, doc: DocumentRow): Promise<void> {
  if (doc.status !== 'ready' && doc.status !== 'failed') return;
  await publishEvent(services, doc.organizationId, doc.status === 'ready' ? 'document.ready' : 'document.failed', documentEventData(doc));
}
