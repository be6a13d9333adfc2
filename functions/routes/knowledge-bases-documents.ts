import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { addTextDocument, addWebDocument, deleteDocument, findDocument, listDocuments, updateDocument, uploadDocument } from '../core/knowledge/documents';
import { publicDocument } from '../core/knowledge/knowledge-bases';
import type { AppEnv } from '../lib/env';
import { OrgHeaderSchema, bearerSecurity, createRouter, errorResponse, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, minRole, withOrg } from '../middleware/auth';
import { knowledgeBaseDocumentIndexingRouter } from './knowledge-bases-documents-indexing';
import {
  CreateDocumentSchema,
  DocParamsSchema,
  DocumentListQuerySchema,
  DocumentPageSchema,
  DocumentSchema,
  KbParamsSchema,
  UpdateDocumentSchema,
  UploadDocumentSchema,
} from './knowledge.schemas';

/**
 * /api/v1/knowledge-bases/{kb_id}/documents: list, add (upload, text, Q&A, web page, website),
 * read, edit and delete a knowledge base's documents. A document's chunks, reprocessing and
 * refreshing are in knowledge-bases-documents-indexing.ts. Admins write; everyone reads.
 */
export const knowledgeBaseDocumentsRouter = createRouter();
knowledgeBaseDocumentsRouter.use('/:kb_id/documents', authenticate, withOrg);
knowledgeBaseDocumentsRouter.use('/:kb_id/documents/*', authenticate, withOrg);

const tags = ['Knowledge base'];

function uploaderId(c: Context<AppEnv>): string | null {
  const principal = c.get('principal');
  return principal.kind === 'user' ? principal.userId : null;
}

knowledgeBaseDocumentsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{kb_id}/documents',
    tags,
    summary: 'Documents of a knowledge base',
    description: 'Top-level documents by default; a website\u2019s pages with `parent_id`.',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: KbParamsSchema, query: DocumentListQuerySchema },
    responses: { 200: jsonContent(DocumentPageSchema, 'A page of documents'), ...protectedErrors },
  }),
  async (c) => {
    const { parent_id, ...filters } = c.req.valid('query');
    const page = await listDocuments(c.get('services').db, c.get('org').organizationId, c.req.valid('param').kb_id, { ...filters, parentId: parent_id });
    return c.json(page, 200);
  },
);

knowledgeBaseDocumentsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{kb_id}/documents/upload',
    tags,
    summary: 'Upload a file (admin): txt, md, html, pdf, docx, xlsx or csv, up to 25 MB',
    description:
      'Answers 202 with the `pending` document; processing continues in the background. The type is checked from the content, not only the name (415). The same content twice answers 409 with `details.existingDocumentId`.',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: {
      headers: OrgHeaderSchema,
      params: KbParamsSchema,
      body: { required: true, content: { 'multipart/form-data': { schema: UploadDocumentSchema } } },
    },
    responses: {
      202: jsonContent(DocumentSchema, 'Stored and queued'),
      409: errorResponse('Same content already uploaded'),
      413: errorResponse('Too large'),
      415: errorResponse('Unsupported or spoofed type'),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const { file } = c.req.valid('form');
    const doc = await uploadDocument(c.get('services'), c.get('org').organizationId, c.req.valid('param').kb_id, uploaderId(c), file);
    return c.json(doc, 202);
  },
);

knowledgeBaseDocumentsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{kb_id}/documents',
    tags,
    summary: 'Add text, Q&A pairs, a web page or a whole website (admin)',
    description:
      'Web pages are fetched in the background; a website is crawled from its URL (and sitemap) on the same site, within `maxDepth` and `maxPages`, respecting robots.txt. Private and loopback addresses are refused.',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: KbParamsSchema, body: jsonBody(CreateDocumentSchema) },
    responses: { 202: jsonContent(DocumentSchema, 'Created and queued'), 409: errorResponse('Same content already added'), ...protectedErrors },
  }),
  async (c) => {
    const services = c.get('services');
    const { organizationId } = c.get('org');
    const kbId = c.req.valid('param').kb_id;
    const input = c.req.valid('json');
    const doc =
      input.type === 'text' || input.type === 'qa'
        ? await addTextDocument(services, organizationId, kbId, uploaderId(c), input)
        : await addWebDocument(services, organizationId, kbId, uploaderId(c), input);
    return c.json(doc, 202);
  },
);

knowledgeBaseDocumentsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{kb_id}/documents/{doc_id}',
    tags,
    summary: 'One document with its status and progress',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: DocParamsSchema },
    responses: { 200: jsonContent(DocumentSchema, 'The document'), ...protectedErrors },
  }),
  async (c) => {
    const { kb_id, doc_id } = c.req.valid('param');
    const { db } = c.get('services');
    return c.json(await publicDocument(db, await findDocument(db, c.get('org').organizationId, kb_id, doc_id)), 200);
  },
);

knowledgeBaseDocumentsRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{kb_id}/documents/{doc_id}',
    tags,
    summary: 'Rename a document or set its refresh schedule (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: DocParamsSchema, body: jsonBody(UpdateDocumentSchema) },
    responses: { 200: jsonContent(DocumentSchema, 'Updated'), ...protectedErrors },
  }),
  async (c) => {
    const { kb_id, doc_id } = c.req.valid('param');
    return c.json(await updateDocument(c.get('services').db, c.get('org').organizationId, kb_id, doc_id, c.req.valid('json')), 200);
  },
);

knowledgeBaseDocumentsRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{kb_id}/documents/{doc_id}',
    tags,
    summary: 'Delete a document with its chunks and vectors (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: DocParamsSchema },
    responses: { 204: { description: 'Deleted' }, ...protectedErrors },
  }),
  async (c) => {
    const { kb_id, doc_id } = c.req.valid('param');
    await deleteDocument(c.get('services'), c.get('org').organizationId, kb_id, doc_id);
    return c.body(null, 204);
  },
);

knowledgeBaseDocumentsRouter.route('/', knowledgeBaseDocumentIndexingRouter);
