import { sql } from 'drizzle-orm';
import { type AnyPgColumn, customType, doublePrecision, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, uniqueIndex, uuid, varchar, bigint } from 'drizzle-orm/pg-core';
import { createdAt, id, ts, updatedAt } from './columns';
import { organizations, users } from './tenancy';
import { bots } from './bots';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export interface ChunkingSettings {
  strategy: 'fixed' | 'structure' | 'qa';
  chunkSize: number;
  chunkOverlap: number;
}

export interface RetrievalSettings {
  mode: 'hybrid' | 'vector' | 'fulltext';
  topK: number;
  scoreThreshold: number;
}

export const knowledgeBases = pgTable(
  'knowledge_bases',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: varchar('name', { length: 200 }).notNull(),
    description: text('description'),
    embeddingModel: varchar('embedding_model', { length: 100 }).notNull().default('builtin-hash-384'),
    embeddingDimension: integer('embedding_dimension').notNull().default(384),
    /**
     * Which vector namespace holds `embeddingModel`'s vectors (core/retrieval/namespace.ts). A model
     * switch embeds every chunk into the next generation's namespace while search keeps reading
     * this one, then moves both fields at once (core/knowledge/reembed.ts).
     */
    vectorGeneration: integer('vector_generation').notNull().default(0),
    /** The model a running switch is embedding into generation `vectorGeneration + 1`; null when none. */
    pendingEmbeddingModel: varchar('pending_embedding_model', { length: 100 }),
    pendingEmbeddingDimension: integer('pending_embedding_dimension'),
    /** The running switch's progress: chunks embedded with the pending model, of all chunks. */
    reembedDone: integer('reembed_done').notNull().default(0),
    reembedTotal: integer('reembed_total').notNull().default(0),
    chunking: jsonb('chunking')
      .$type<ChunkingSettings>()
      .notNull()
      .default({ strategy: 'structure', chunkSize: 400, chunkOverlap: 60 }),
    retrieval: jsonb('retrieval')
      .$type<RetrievalSettings>()
      .notNull()
      .default({ mode: 'hybrid', topK: 5, scoreThreshold: 0 }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('knowledge_bases_org_idx').on(t.organizationId)],
);

export const botKnowledgeBases = pgTable(
  'bot_knowledge_bases',
  {
    botId: uuid('bot_id')
      .notNull()
      .references(() => bots.id, { onDelete: 'cascade' }),
    knowledgeBaseId: uuid('knowledge_base_id')
      .notNull()
      .references(() => knowledgeBases.id, { onDelete: 'cascade' }),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.botId, t.knowledgeBaseId] })],
);

export const documentStatusEnum = pgEnum('document_status', ['pending', 'processing', 'ready', 'failed']);
export const documentSourceEnum = pgEnum('document_source', ['file', 'url', 'website', 'text', 'qa']);

export const documents = pgTable(
  'documents',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    knowledgeBaseId: uuid('knowledge_base_id')
      .notNull()
      .references(() => knowledgeBases.id, { onDelete: 'cascade' }),
    /** A page found by a website crawl points at the website's document. */
    parentId: uuid('parent_id').references((): AnyPgColumn => documents.id, { onDelete: 'cascade' }),
    name: varchar('name', { length: 255 }).notNull(),
    source: documentSourceEnum('source').notNull(),
    sourceUrl: text('source_url'),
    mimeType: varchar('mime_type', { length: 100 }),
    blobKey: text('blob_key'),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull().default(0),
    contentHash: varchar('content_hash', { length: 64 }),
    status: documentStatusEnum('status').notNull().default('pending'),
    error: text('error'),
    pageCount: integer('page_count'),
    chunkCount: integer('chunk_count').notNull().default(0),
    chunksDone: integer('chunks_done').notNull().default(0),
    tokenCount: integer('token_count').notNull().default(0),
    /** Bumped on every (re)processing; jobs of an older generation stop without writing. */
    generation: integer('generation').notNull().default(0),
    refreshSchedule: varchar('refresh_schedule', { length: 16 }),
    lastRefreshedAt: ts('last_refreshed_at'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    uploadedBy: uuid('uploaded_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('documents_kb_status_idx').on(t.knowledgeBaseId, t.status),
    index('documents_org_created_idx').on(t.organizationId, t.createdAt),
    index('documents_kb_hash_idx').on(t.knowledgeBaseId, t.contentHash),
    uniqueIndex('documents_parent_url_key').on(t.parentId, t.sourceUrl),
  ],
);

/** Chunk text and its full-text vector; embeddings live in the vector store (Pinecone / pgvector). */
export const chunks = pgTable(
  'chunks',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    knowledgeBaseId: uuid('knowledge_base_id')
      .notNull()
      .references(() => knowledgeBases.id, { onDelete: 'cascade' }),
    documentId: uuid('document_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    content: text('content').notNull(),
    tokenCount: integer('token_count').notNull().default(0),
    /** Where the chunk came from: page number, heading path, source URL with anchor. */
    location: jsonb('location').$type<{ page?: number; headings?: string[]; url?: string }>().notNull().default({}),
    /** Spanish and English stems together, so either language's query finds the chunk. */
    searchVector: tsvector('search_vector').generatedAlwaysAs(
      sql`to_tsvector('spanish', content) || to_tsvector('english', content)`,
    ),
    /** Set when the chunk's vector is in the vector store; progress is the count of these. */
    embeddedAt: ts('embedded_at'),
    /** The newest vector generation (knowledge_bases.vector_generation) holding this chunk's vector. */
    vectorGeneration: integer('vector_generation').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('chunks_document_position_key').on(t.documentId, t.position),
    index('chunks_kb_idx').on(t.knowledgeBaseId),
    index('chunks_search_idx').using('gin', t.searchVector),
  ],
);

/**
 * Full-text term statistics per knowledge base, for BM25: how many chunks hold each lexeme
 * (document frequency). Kept current by triggers on `chunks` (insert, delete, content update) in
 * the same transaction as the change, so a search never sees counts of chunks that are not there.
 */
export const knowledgeBaseTerms = pgTable(
  'knowledge_base_terms',
  {
    knowledgeBaseId: uuid('knowledge_base_id')
      .notNull()
      .references(() => knowledgeBases.id, { onDelete: 'cascade' }),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    lexeme: text('lexeme').notNull(),
    chunkCount: integer('chunk_count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.knowledgeBaseId, t.lexeme] })],
);

/** Chunk count and total full-text length (lexemes) per knowledge base: BM25's N and average length. */
export const knowledgeBaseTextStats = pgTable('knowledge_base_text_stats', {
  knowledgeBaseId: uuid('knowledge_base_id')
    .primaryKey()
    .references(() => knowledgeBases.id, { onDelete: 'cascade' }),
  organizationId: uuid('organization_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' }),
  chunkCount: integer('chunk_count').notNull().default(0),
  totalLength: doublePrecision('total_length').notNull().default(0),
});
