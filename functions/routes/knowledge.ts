import { createRoute, z } from '@hono/zod-openapi';
import { desc, eq, ne } from 'drizzle-orm';
import { documents, knowledgeBases } from '../../db/schema';
import { startProcessing } from '../core/ingest/pipeline';
import { findKnowledgeBase, knowledgeBaseCounts, publicKnowledgeBase } from '../core/knowledge/knowledge-bases';
import { namespaceFor } from '../core/retrieval/namespace';
import { fusionFor, searchKnowledge } from '../core/retrieval/search';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { inOrg } from '../lib/tenancy';
import type { Services } from '../ports';
import { authenticate, minRole, withOrg } from '../middleware/auth';
import { knowledgeBaseDocumentsRouter } from './knowledge-bases-documents';
import { KbParamsSchema, KnowledgeBaseInputSchema, KnowledgeBaseSchema, SearchBodySchema, SearchHitSchema, FusionProfileSchema } from './knowledge.schemas';

export const knowledgeRouter = createRouter();
const tags = ['Knowledge base'];
knowledgeRouter.use('*', authenticate, withOrg);

const DEFAULT_CHUNKING = { strategy: 'structure' as const, chunkSize: 400, chunkOverlap: 60 };
const DEFAULT_RETRIEVAL = { mode: 'hybrid' as const, topK: 5, scoreThreshold: 0 };

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
  async (c) => {
    const { organizationId } = c.get('org');
    const { db } = c.get('services');
    const rows = await db.select().from(knowledgeBases).where(inOrg(knowledgeBases, organizationId)).orderBy(desc(knowledgeBases.createdAt));
    const counts = await knowledgeBaseCounts(db, organizationId, rows.map((r) => r.id));
    return c.json({ data: rows.map((kb) => publicKnowledgeBase(kb, counts.get(kb.id))) }, 200);
  },
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
    const access = c.get('org');
    const input = c.req.valid('json');
    const { db, embeddings } = c.get('services');
    const embedder = embeddings.get(input.embeddingModel ?? embeddings.defaultModel);
    const principal = c.get('principal');
    const [kb] = await db
      .insert(knowledgeBases)
      .values({
        organizationId: access.organizationId,
        name: input.name,
        description: input.description ?? null,
        embeddingModel: embedder.model,
        embeddingDimension: embedder.dimension,
        chunking: input.chunking ?? DEFAULT_CHUNKING,
        retrieval: input.retrieval ?? DEFAULT_RETRIEVAL,
        createdBy: principal.kind === 'user' ? principal.userId : null,
      })
      .returning();
    return c.json(publicKnowledgeBase(kb), 201);
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
  async (c) => {
    const { organizationId } = c.get('org');
    const { db } = c.get('services');
    const kb = await findKnowledgeBase(db, organizationId, c.req.valid('param').kb_id);
    const counts = await knowledgeBaseCounts(db, organizationId, [kb.id]);
    return c.json(publicKnowledgeBase(kb, counts.get(kb.id)), 200);
  },
);

/** Re-processes every document: new chunks, and vectors in a fresh namespace. */
export async function reindexKnowledgeBase(services: Services, organizationId: string, knowledgeBaseId: string) {
  await services.vectors.deleteNamespace(namespaceFor(knowledgeBaseId));
  const docs = await services.db
    .select({ id: documents.id })
    .from(documents)
    .where(inOrg(documents, organizationId, eq(documents.knowledgeBaseId, knowledgeBaseId), ne(documents.source, 'website')));
  for (const doc of docs) await startProcessing(services, doc);
  return docs.length;
}

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
  async (c) => {
    const access = c.get('org');
    const services = c.get('services');
    const kb = await findKnowledgeBase(services.db, access.organizationId, c.req.valid('param').kb_id);
    const input = c.req.valid('json');
    const embedder = input.embeddingModel ? services.embeddings.get(input.embeddingModel) : null;
    const modelChanged = embedder !== null && embedder.model !== kb.embeddingModel;
    const chunkingChanged = input.chunking !== undefined && JSON.stringify(input.chunking) !== JSON.stringify(kb.chunking);
    const [updated] = await services.db
      .update(knowledgeBases)
      .set({
        ...input,
        ...(embedder ? { embeddingModel: embedder.model, embeddingDimension: embedder.dimension } : {}),
      })
      .where(eq(knowledgeBases.id, kb.id))
      .returning();
    if (modelChanged || chunkingChanged) await reindexKnowledgeBase(services, access.organizationId, kb.id);
    const counts = await knowledgeBaseCounts(services.db, access.organizationId, [kb.id]);
    return c.json(publicKnowledgeBase(updated, counts.get(kb.id)), 200);
  },
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
    const access = c.get('org');
    const services = c.get('services');
    const kb = await findKnowledgeBase(services.db, access.organizationId, c.req.valid('param').kb_id);
    await services.vectors.deleteNamespace(namespaceFor(kb.id));
    await services.db.delete(knowledgeBases).where(eq(knowledgeBases.id, kb.id));
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
  async (c) => {
    const access = c.get('org');
    const services = c.get('services');
    const kb = await findKnowledgeBase(services.db, access.organizationId, c.req.valid('param').kb_id);
    return c.json({ documents: await reindexKnowledgeBase(services, access.organizationId, kb.id) }, 202);
  },
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
  async (c) => {
    const { organizationId } = c.get('org');
    const services = c.get('services');
    const kb = await findKnowledgeBase(services.db, organizationId, c.req.valid('param').kb_id);
    const body = c.req.valid('json');
    const started = performance.now();
    const hits = await searchKnowledge(services, {
      organizationId,
      knowledgeBases: [{ id: kb.id, embeddingModel: kb.embeddingModel }],
      query: body.query,
      topK: body.topK ?? kb.retrieval.topK,
      scoreThreshold: body.scoreThreshold ?? kb.retrieval.scoreThreshold,
      mode: body.mode ?? kb.retrieval.mode,
    });
    const fusion = fusionFor([{ id: kb.id, embeddingModel: kb.embeddingModel }]);
    return c.json({ data: hits, tookMs: Math.round((performance.now() - started) * 10) / 10, fusion }, 200);
  },
);

knowledgeRouter.route('/', knowledgeBaseDocumentsRouter);
