import { createRoute } from '@hono/zod-openapi';
import { listChunks, refreshDocument, reprocessDocument } from '../core/knowledge/documents';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonContent, protectedErrors } from '../lib/openapi';
import { minRole } from '../middleware/auth';
import { ChunkPageSchema, ChunkQuerySchema, DocParamsSchema, DocumentSchema } from './knowledge.schemas';

/**
 * /api/v1/knowledge-bases/{kb_id}/documents/{doc_id}/chunks, /reprocess and /refresh: what a
 * document was cut into, and indexing it again. Mounted by knowledge-bases-documents.ts, whose
 * middleware authenticates and resolves the organization.
 */
export const knowledgeBaseDocumentIndexingRouter = createRouter();
const tags = ['Knowledge base'];

knowledgeBaseDocumentIndexingRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{kb_id}/documents/{doc_id}/chunks',
    tags,
    summary: 'A document\u2019s chunks in order, with where each came from',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: DocParamsSchema, query: ChunkQuerySchema },
    responses: { 200: jsonContent(ChunkPageSchema, 'A page of chunks'), ...protectedErrors },
  }),
  async (c) => {
    const { kb_id, doc_id } = c.req.valid('param');
    return c.json(await listChunks(c.get('services').db, c.get('org').organizationId, kb_id, doc_id, c.req.valid('query')), 200);
  },
);

knowledgeBaseDocumentIndexingRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{kb_id}/documents/{doc_id}/reprocess',
    tags,
    summary: 'Extract, chunk and embed the document again (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: DocParamsSchema },
    responses: { 202: jsonContent(DocumentSchema, 'Queued'), ...protectedErrors },
  }),
  async (c) => {
    const { kb_id, doc_id } = c.req.valid('param');
    return c.json(await reprocessDocument(c.get('services'), c.get('org').organizationId, kb_id, doc_id), 202);
  },
);

knowledgeBaseDocumentIndexingRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{kb_id}/documents/{doc_id}/refresh',
    tags,
    summary: 'Fetch a web page or website again; only changed pages are re-indexed (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: DocParamsSchema },
    responses: { 202: jsonContent(DocumentSchema, 'Queued'), ...protectedErrors },
  }),
  async (c) => {
    const { kb_id, doc_id } = c.req.valid('param');
    return c.json(await refreshDocument(c.get('services'), c.get('org').organizationId, kb_id, doc_id), 202);
  },
);
