import { z } from '@hono/zod-openapi';
import { createSelectSchema } from 'drizzle-zod';
import { documents, knowledgeBases } from '../../db/schema';
import { CursorQuerySchema } from '../lib/openapi';

export const KbParamsSchema = z.object({ kb_id: z.uuid().openapi({ param: { name: 'kb_id', in: 'path' } }) });
export const DocParamsSchema = KbParamsSchema.extend({ doc_id: z.uuid().openapi({ param: { name: 'doc_id', in: 'path' } }) });

export const ChunkingSchema = z
  .object({
    strategy: z.enum(['structure', 'fixed', 'qa']).openapi({
      description: '`structure` keeps headings, paragraphs, list items and table rows intact (default); `fixed` is token windows with overlap; `qa` one pair per chunk',
    }),
    chunkSize: z.number().int().min(50).max(2000).openapi({ example: 400, description: 'Target tokens per chunk (default 400)' }),
    chunkOverlap: z.number().int().min(0).max(500).openapi({ example: 60, description: 'Tokens shared by neighbours, fixed strategy (default 60)' }),
  })
  .refine((c) => c.chunkOverlap < c.chunkSize, { message: 'The overlap must be smaller than the chunk size', path: ['chunkOverlap'] })
  .openapi('ChunkingSettings');

export const RetrievalSchema = z
  .object({
    mode: z.enum(['hybrid', 'vector', 'fulltext']).openapi({ description: 'Hybrid fuses vector and full-text results (reciprocal rank fusion)' }),
    topK: z.number().int().min(1).max(50).openapi({ example: 5 }),
    scoreThreshold: z.number().min(0).max(1).openapi({ example: 0 }),
  })
  .openapi('RetrievalSettings');

export const EmbeddingSwitchSchema = z
  .object({
    model: z.string().openapi({ example: 'builtin-hash-v2-768' }),
    done: z.number().int().openapi({ description: 'Chunks embedded with the new model so far.' }),
    total: z.number().int(),
  })
  .openapi('EmbeddingSwitch', {
    description:
      'A change of embedding model in progress: every chunk is embedded again in the background while search keeps using the previous model; `embeddingModel` changes when all are done.',
  });

// Columns from the table; the JSON settings have their own schemas (with the API's limits) and
// the counts are computed.
export const KnowledgeBaseSchema = createSelectSchema(knowledgeBases, {
  createdAt: () => z.string().openapi({ format: 'date-time' }),
  updatedAt: () => z.string().openapi({ format: 'date-time' }),
})
  .pick({ id: true, name: true, description: true, embeddingModel: true, embeddingDimension: true, createdAt: true, updatedAt: true })
  .extend({
    name: z.string().openapi({ example: 'Centro de ayuda' }),
    embeddingModel: z.string().openapi({ example: 'builtin-hash-v2-768', description: 'The model search uses now.' }),
    chunking: ChunkingSchema,
    retrieval: RetrievalSchema,
    documentCount: z.number().int(),
    chunkCount: z.number().int(),
    embeddingSwitch: EmbeddingSwitchSchema.nullable(),
  })
  .openapi('KnowledgeBase');

export const KnowledgeBaseInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).nullable().optional(),
  embeddingModel: z.string().max(100).optional().openapi({ description: 'See GET /api/v1/knowledge-bases/embedding-models' }),
  chunking: ChunkingSchema.optional(),
  retrieval: RetrievalSchema.optional(),
});

// The columns come from the table; `refreshSchedule` is a varchar there but only ever daily or
// weekly, and `crawl` is computed (websites' progress).
const isoTimestamp = () => z.string().openapi({ format: 'date-time' });

export const DocumentSchema = createSelectSchema(documents, {
  lastRefreshedAt: () => z.string().nullable().openapi({ format: 'date-time' }),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
})
  .pick({
    id: true,
    knowledgeBaseId: true,
    parentId: true,
    name: true,
    source: true,
    sourceUrl: true,
    mimeType: true,
    sizeBytes: true,
    status: true,
    error: true,
    pageCount: true,
    chunkCount: true,
    chunksDone: true,
    tokenCount: true,
    lastRefreshedAt: true,
    createdAt: true,
    updatedAt: true,
  })
  .extend({
    parentId: z.uuid().nullable().openapi({ description: 'The website a crawled page belongs to' }),
    error: z.string().nullable().openapi({ description: 'Why it failed, readable' }),
    chunksDone: z.number().int().openapi({ description: 'Chunks embedded so far (progress)' }),
    refreshSchedule: z.enum(['daily', 'weekly']).nullable(),
    crawl: z
      .object({
        pagesFound: z.number().int(),
        pagesDone: z.number().int(),
        pagesFailed: z.number().int(),
        maxPages: z.number().int(),
        maxDepth: z.number().int(),
      })
      .optional()
      .openapi({ description: 'Websites only' }),
  })
  .openapi('Document');

export const DocumentListQuerySchema = CursorQuerySchema.extend({
  status: z.enum(documents.status.enumValues).optional(),
  q: z.string().max(200).optional().openapi({ description: 'Name or URL contains' }),
  parent_id: z.uuid().optional(),
});
export const DocumentPageSchema = z.object({ data: z.array(DocumentSchema), nextCursor: z.string().nullable() });
export const UpdateDocumentSchema = z.object({
  name: z.string().trim().min(1).max(255).optional(),
  refreshSchedule: z.enum(['daily', 'weekly']).nullable().optional(),
});
/** The file arrives as a multipart part; the upload checks it is one (422 otherwise). */
export const UploadDocumentSchema = z.object({ file: z.any().openapi({ type: 'string', format: 'binary' }) });

const RefreshScheduleSchema = z.enum(['daily', 'weekly']).nullable().optional();

export const CreateDocumentSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('text'), name: z.string().trim().min(1).max(255), text: z.string().min(1).max(2_000_000) }),
    z.object({
      type: z.literal('qa'),
      name: z.string().trim().min(1).max(255),
      pairs: z
        .array(z.object({ question: z.string().trim().min(1).max(2000), answer: z.string().trim().min(1).max(20_000) }))
        .min(1)
        .max(5000),
    }),
    z.object({ type: z.literal('url'), url: z.url().max(2000), name: z.string().max(255).optional(), refreshSchedule: RefreshScheduleSchema }),
    z.object({
      type: z.literal('website'),
      url: z.url().max(2000),
      name: z.string().max(255).optional(),
      maxDepth: z.number().int().min(0).max(5).default(2),
      maxPages: z.number().int().min(1).max(500).default(50),
      useSitemap: z.boolean().default(true),
      refreshSchedule: RefreshScheduleSchema,
    }),
  ])
  .openapi('CreateDocument');

export const ChunkSchema = z
  .object({
    id: z.uuid(),
    position: z.number().int(),
    content: z.string(),
    tokenCount: z.number().int(),
    location: z.object({ page: z.number().optional(), headings: z.array(z.string()).optional(), url: z.string().optional() }),
  })
  .openapi('Chunk');

export const ChunkQuerySchema = z.object({ cursor: z.string().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });
export const ChunkPageSchema = z.object({ data: z.array(ChunkSchema), nextCursor: z.string().nullable() });

export const SearchBodySchema = z.object({
  query: z.string().trim().min(1).max(2000).openapi({ example: '¿Cuál es el plazo de devolución?' }),
  topK: z.number().int().min(1).max(50).optional(),
  mode: z.enum(['hybrid', 'vector', 'fulltext']).optional(),
  scoreThreshold: z.number().min(0).max(1).optional(),
});

export const FusionProfileSchema = z
  .object({
    kind: z.enum(['lexical', 'semantic', 'custom']),
    method: z.enum(['rrf', 'convex']),
    k: z.number(),
    fulltextWeight: z.number(),
    vectorWeight: z.number(),
    reason: z.string(),
  })
  .openapi('FusionProfile', { description: 'How hybrid search weighs full text and vectors for this knowledge base\'s embedding model' });

export const SearchHitSchema = z
  .object({
    chunkId: z.uuid(),
    documentId: z.uuid(),
    documentName: z.string(),
    knowledgeBaseId: z.uuid(),
    position: z.number().int(),
    content: z.string(),
    location: z.object({ page: z.number().optional(), headings: z.array(z.string()).optional(), url: z.string().optional() }),
    score: z.number().openapi({ description: 'Fused score, 0..1, that orders the hits (see the response\'s `fusion`)' }),
    relevance: z.number().openapi({ description: 'Relevance on its own, 0..1 (better of vector similarity and full-text match); the threshold compares this' }),
    retrievers: z.array(z.enum(['vector', 'fulltext'])),
    vectorScore: z.number().optional().openapi({ description: 'Cosine similarity of query and chunk embeddings' }),
    fulltextScore: z.number().optional().openapi({ description: 'BM25 score divided by the query\'s ideal score (every word once, average length)' }),
    why: z
      .object({
        method: z.enum(['rrf', 'convex']),
        fulltextRank: z.number().int().optional(),
        vectorRank: z.number().int().optional(),
        fulltextPart: z.number(),
        vectorPart: z.number(),
      })
      .optional()
      .openapi({ description: 'Why this rank: each retriever\'s rank and its part of the fused score' }),
    sourceUrl: z.string().nullable().optional(),
  })
  .openapi('SearchHit');
