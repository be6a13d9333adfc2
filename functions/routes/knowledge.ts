import { createRoute, z } from '@hono/zod-openapi';
import {
  createKnowledgeBase,
  deleteKnowledgeBase,
  getKnowledgeBase,
  listKnowledgeBases,
  reindexKnowledgeBaseById,
  searchKnowledgeBase,
  updateKnowledgeBase,
} from '../core/knowledge/knowledge-bases';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, minRole, withOrg } from '../middleware/auth';
import { knowledgeBaseDocumentsRouter } from './knowledge-bases-documents';
import { KbParamsSchema, KnowledgeBaseInputSchema, KnowledgeBaseSchema, SearchBodySchema, SearchHitSchema, FusionProfileSchema } from './knowledge.schemas';

/**
 * /api/v1/knowledge-bases: knowledge bases (settings, re-indexing, the search tester). Their
 * documents are in knowledge-bases-documents.ts. Admins write; every member reads and searches.
 */
export const knowledgeRouter = createRouter();
const tags = ['Knowledge base'];
knowledgeRouter.use('*', authenticate, withOrg);

knowledgeRouter.openapi(
  createRoute({
    method: 'get',
    path: '/embedding-models',
    tags,
    summary: 'Embedding models this deployment offers',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema },
    responses: {
      200: jsonContent(
        z.object({
          data: z.array(z.object({ id: z.string(), label: z.string(), dimension: z.number().int(), available: z.boolean() })),
          defaultModel: z.string(),
        }),
        'Models',
      ),
      ...protectedErrors,
    },
  }),
  (c) => {
    const { embeddings } = c.get('services');
    return c.json({ data: embeddings.list(), defaultModel: embeddings.defaultModel }, 200);
  },
);

knowledgeRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags,
    summary: 'Knowledge bases of the organization',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema },
    responses: { 200: jsonContent(z.object({ data: z.array(KnowledgeBaseSchema) }), 'Knowledge bases'), ...protectedErrors },
  }),
  async (c) => c.json({ data: await listKnowledgeBases(c.get('services').db, c.get('org').organizationId) }, 200),
);

knowledgeRouter.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags,
    summary: 'Create a knowledge base (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, body: jsonBody(KnowledgeBaseInputSchema) },
    responses: { 201: jsonContent(KnowledgeBaseSchema, 'Created'), ...protectedErrors },
  }),
  async (c) => {
    const principal = c.get('principal');
    const createdBy = principal.kind === 'user' ? principal.userId : null;
    return c.json(await createKnowledgeBase(c.get('services'), c.get('org').organizationId, createdBy, c.req.valid('json')), 201);
  },
);

knowledgeRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{kb_id}',
    tags,
    summary: 'One knowledge base',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: KbParamsSchema },
    responses: { 200: jsonContent(KnowledgeBaseSchema, 'The knowledge base'), ...protectedErrors },
  }),
  async (c) => c.json(await getKnowledgeBase(c.get('services').db, c.get('org').organizationId, c.req.valid('param').kb_id), 200),
);

knowledgeRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{kb_id}',
    tags,
    summary: 'Update a knowledge base (admin)',
    description: 'Changing the embedding model or the chunking re-indexes every document.',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: KbParamsSchema, body: jsonBody(KnowledgeBaseInputSchema.partial()) },
    responses: { 200: jsonContent(KnowledgeBaseSchema, 'Updated'), ...protectedErrors },
  }),
  async (c) => c.json(await updateKnowledgeBase(c.get('services'), c.get('org').organizationId, c.req.valid('param').kb_id, c.req.valid('json')), 200),
);

knowledgeRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{kb_id}',
    tags,
    summary: 'Delete a knowledge base with its documents, chunks and vectors (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: KbParamsSchema },
    responses: { 204: { description: 'Deleted' }, ...protectedErrors },
  }),
  async (c) => {
    await deleteKnowledgeBase(c.get('services'), c.get('org').organizationId, c.req.valid('param').kb_id);
    return c.body(null, 204);
  },
);

knowledgeRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{kb_id}/reindex',
    tags,
    summary: 'Re-process every document of the knowledge base (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: KbParamsSchema },
    responses: { 202: jsonContent(z.object({ documents: z.number().int() }), 'Queued'), ...protectedErrors },
  }),
  async (c) => c.json({ documents: await reindexKnowledgeBaseById(c.get('services'), c.get('org').organizationId, c.req.valid('param').kb_id) }, 202),
);

knowledgeRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{kb_id}/search',
    tags,
    summary: 'Search tester: ranked chunks for a query',
    description: 'Hybrid retrieval (vectors + Spanish/English full-text, fused by reciprocal rank). Defaults come from the knowledge base\u2019s retrieval settings. Any member may search.',
    security: bearerSecurity,
    'x-read-only': true,
    request: { headers: OrgHeaderSchema, params: KbParamsSchema, body: jsonBody(SearchBodySchema) },
    responses: {
      200: jsonContent(z.object({ data: z.array(SearchHitSchema), tookMs: z.number(), fusion: FusionProfileSchema }), 'Ranked chunks'),
      ...protectedErrors,
    },
  }),
  async (c) => c.json(await searchKnowledgeBase(c.get('services'), c.get('org').organizationId, c.req.valid('param').kb_id, c.req.valid('json')), 200),
);

knowledgeRouter.route('/', knowledgeBaseDocumentsRouter);
