import { createRoute, z } from '@hono/zod-openapi';
import { and, asc, desc, eq, gt, ilike, isNull, ne, or, lt, type SQL } from 'drizzle-orm';
import { chunks, documents } from '../../db/schema';
import { addPages, enqueueCrawl } from '../core/ingest/crawl';
import { detectFileType, mimeFor } from '../core/ingest/detect';
import { assertFetchableUrl } from '../core/ingest/fetch-url';
import { QA_MIME, blobKeyFor, deleteDocumentVectors, refreshWebsiteStatus, startProcessing } from '../core/ingest/pipeline';
import { findKnowledgeBase, publicDocument, type DocumentRow } from '../core/knowledge/knowledge-bases';
import { ApiError } from '../lib/errors';
import type { AppEnv } from '../lib/env';
import { CursorQuerySchema, OrgHeaderSchema, bearerSecurity, jsonBody, errorResponse, jsonContent, protectedErrors, type createRouter } from '../lib/openapi';
import { decodeCursor, toPage } from '../lib/pagination';
import { inOrg } from '../lib/tenancy';
import type { Context } from 'hono';
import { minRole } from '../middleware/auth';
import { ChunkSchema, CreateDocumentSchema, DocParamsSchema, DocumentSchema, KbParamsSchema } from './knowledge.schemas';

const tags = ['Knowledge base'];

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function findDocument(c: Context<AppEnv>, kbId: string, docId: string): Promise<DocumentRow> {
  const { organizationId } = c.get('org');
  const [doc] = await c
    .get('services')
    .db.select()
    .from(documents)
    .where(inOrg(documents, organizationId, eq(documents.knowledgeBaseId, kbId), eq(documents.id, docId)))
    .limit(1);
  if (!doc) throw new ApiError('not_found', 'Document not found');
  return doc;
}

function uploaderId(c: Context<AppEnv>): string | null {
  const principal = c.get('principal');
  return principal.kind === 'user' ? principal.userId : null;
}

/** The same content already in this knowledge base answers 409 with the existing document. */
async function assertNotDuplicate(c: Context<AppEnv>, kbId: string, hash: string) {
  const { organizationId } = c.get('org');
  const [existing] = await c
    .get('services')
    .db.select({ id: documents.id, name: documents.name })
    .from(documents)
    .where(inOrg(documents, organizationId, eq(documents.knowledgeBaseId, kbId), eq(documents.contentHash, hash), ne(documents.status, 'failed'), isNull(documents.parentId)))
    .limit(1);
  if (existing) {
    throw new ApiError('conflict', `The same content is already in this knowledge base as "${existing.name}"`, {
      details: { existingDocumentId: existing.id, existingDocumentName: existing.name },
    });
  }
}

async function createStoredDocument(
  c: Context<AppEnv>,
  kbId: string,
  values: { name: string; source: 'file' | 'text' | 'qa'; mimeType: string; bytes: Uint8Array; hash: string },
) {
  const services = c.get('services');
  const { organizationId } = c.get('org');
  const [doc] = await services.db
    .insert(documents)
    .values({
      organizationId,
      knowledgeBaseId: kbId,
      name: values.name.slice(0, 255),
      source: values.source,
      mimeType: values.mimeType,
      sizeBytes: values.bytes.byteLength,
      contentHash: values.hash,
      uploadedBy: uploaderId(c),
    })
    .returning();
  // The original is stored before the row is announced, so the job always finds it.
  await services.blobs.put(blobKeyFor(doc), values.bytes, { contentType: values.mimeType });
  return startProcessing(services, doc);
}

export function registerDocumentRoutes(router: ReturnType<typeof createRouter>) {
  router.openapi(
    createRoute({
      method: 'get',
      path: '/{kb_id}/documents',
      tags,
      summary: 'Documents of a knowledge base',
      description: 'Top-level documents by default; a website\u2019s pages with `parent_id`.',
      security: bearerSecurity,
      request: {
        headers: OrgHeaderSchema,
        params: KbParamsSchema,
        query: CursorQuerySchema.extend({
          status: z.enum(['pending', 'processing', 'ready', 'failed']).optional(),
          q: z.string().max(200).optional().openapi({ description: 'Name or URL contains' }),
          parent_id: z.uuid().optional(),
        }),
      },
      responses: {
        200: jsonContent(z.object({ data: z.array(DocumentSchema), nextCursor: z.string().nullable() }), 'A page of documents'),
        ...protectedErrors,
      },
    }),
    async (c) => {
      const { organizationId } = c.get('org');
      const { db } = c.get('services');
      const kb = await findKnowledgeBase(db, organizationId, c.req.valid('param').kb_id);
      const { limit, cursor, status, q, parent_id } = c.req.valid('query');
      const after = decodeCursor(cursor);
      const filters: Array<SQL | undefined> = [
        eq(documents.knowledgeBaseId, kb.id),
        parent_id ? eq(documents.parentId, parent_id) : isNull(documents.parentId),
        status ? eq(documents.status, status) : undefined,
        q ? or(ilike(documents.name, `%${q.replace(/[%_\\]/g, '\\$&')}%`), ilike(documents.sourceUrl, `%${q.replace(/[%_\\]/g, '\\$&')}%`)) : undefined,
        after
          ? or(lt(documents.createdAt, new Date(after.createdAt)), and(eq(documents.createdAt, new Date(after.createdAt)), lt(documents.id, after.id)))
          : undefined,
      ];
      const rows = await db
        .select()
        .from(documents)
        .where(inOrg(documents, organizationId, ...filters))
        .orderBy(desc(documents.createdAt), desc(documents.id))
        .limit(limit + 1);
      const { page, nextCursor } = toPage(rows, limit);
      return c.json({ data: await Promise.all(page.map((d) => publicDocument(db, d))), nextCursor }, 200);
    },
  );

  router.openapi(
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
        body: {
          required: true,
          content: { 'multipart/form-data': { schema: z.object({ file: z.any().openapi({ type: 'string', format: 'binary' }) }) } },
        },
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
      const access = c.get('org');
      const services = c.get('services');
      const kb = await findKnowledgeBase(services.db, access.organizationId, c.req.valid('param').kb_id);
      const file = (c.req.valid('form') as { file?: unknown }).file;
      if (!(file instanceof File)) {
        throw new ApiError('validation_failed', 'Send the file in a multipart field named "file"', {
          details: [{ path: 'file', message: 'Required', code: 'invalid_type' }],
        });
      }
      if (file.size > services.config.MAX_UPLOAD_BYTES) {
        throw new ApiError('payload_too_large', `Files can be up to ${Math.round(services.config.MAX_UPLOAD_BYTES / 1048576)} MB`);
      }
      const bytes = new Uint8Array(await file.arrayBuffer());
      if (bytes.byteLength === 0) throw new ApiError('validation_failed', 'The file is empty', { details: [{ path: 'file', message: 'Empty file', code: 'too_small' }] });
      const type = detectFileType(bytes, file.name, file.type || undefined);
      if (!type) {
        throw new ApiError('unsupported_media_type', 'Upload a txt, md, html, pdf, docx, xlsx or csv file; this content is not one of them');
      }
      const hash = await sha256Hex(bytes);
      await assertNotDuplicate(c, kb.id, hash);
      const doc = await createStoredDocument(c, kb.id, { name: file.name || `document.${type}`, source: 'file', mimeType: mimeFor(type), bytes, hash });
      return c.json(await publicDocument(services.db, doc), 202);
    },
  );

  router.openapi(
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
      const access = c.get('org');
      const services = c.get('services');
      const kb = await findKnowledgeBase(services.db, access.organizationId, c.req.valid('param').kb_id);
      const input = c.req.valid('json');

      if (input.type === 'text' || input.type === 'qa') {
        const text = input.type === 'text' ? input.text : JSON.stringify(input.pairs);
        const bytes = new TextEncoder().encode(text);
        const hash = await sha256Hex(bytes);
        await assertNotDuplicate(c, kb.id, hash);
        const doc = await createStoredDocument(c, kb.id, {
          name: input.name,
          source: input.type,
          mimeType: input.type === 'text' ? 'text/plain' : QA_MIME,
          bytes,
          hash,
        });
        return c.json(await publicDocument(services.db, doc), 202);
      }

      await assertFetchableUrl(services.outbound, input.url);
      const [doc] = await services.db
        .insert(documents)
        .values({
          organizationId: access.organizationId,
          knowledgeBaseId: kb.id,
          name: (input.name || input.url).slice(0, 255),
          source: input.type,
          sourceUrl: input.url,
          refreshSchedule: input.refreshSchedule ?? null,
          uploadedBy: uploaderId(c),
          status: input.type === 'website' ? 'processing' : 'pending',
          metadata: input.type === 'website' ? { maxDepth: input.maxDepth, maxPages: input.maxPages, useSitemap: input.useSitemap } : {},
        })
        .returning();
      if (input.type === 'url') {
        const started = await startProcessing(services, doc, { prefetched: false });
        return c.json(await publicDocument(services.db, started), 202);
      }
      await enqueueCrawl(services, await addPages(services, doc, [input.url], 0));
      return c.json(await publicDocument(services.db, doc), 202);
    },
  );

  router.openapi(
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
      return c.json(await publicDocument(c.get('services').db, await findDocument(c, kb_id, doc_id)), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/{kb_id}/documents/{doc_id}',
      tags,
      summary: 'Rename a document or set its refresh schedule (admin)',
      security: bearerSecurity,
      middleware: [minRole('admin')] as const,
      request: {
        headers: OrgHeaderSchema,
        params: DocParamsSchema,
        body: jsonBody(
          z.object({ name: z.string().trim().min(1).max(255).optional(), refreshSchedule: z.enum(['daily', 'weekly']).nullable().optional() }),
        ),
      },
      responses: { 200: jsonContent(DocumentSchema, 'Updated'), ...protectedErrors },
    }),
    async (c) => {
      const { kb_id, doc_id } = c.req.valid('param');
      const doc = await findDocument(c, kb_id, doc_id);
      const input = c.req.valid('json');
      if (input.refreshSchedule && doc.source !== 'url' && doc.source !== 'website') {
        throw new ApiError('validation_failed', 'Only web pages and websites can be refreshed', {
          details: [{ path: 'refreshSchedule', message: 'Only for url and website documents', code: 'custom' }],
        });
      }
      const { db } = c.get('services');
      const [updated] = await db.update(documents).set(input).where(eq(documents.id, doc.id)).returning();
      return c.json(await publicDocument(db, updated), 200);
    },
  );

  router.openapi(
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
      const doc = await findDocument(c, kb_id, doc_id);
      const services = c.get('services');
      // Rows first: the moment they are gone nothing can surface in search, even while the
      // vector store catches up.
      const pages = doc.source === 'website' ? await services.db.select().from(documents).where(eq(documents.parentId, doc.id)) : [];
      await services.db.delete(documents).where(eq(documents.id, doc.id));
      await deleteDocumentVectors(services, doc, pages);
      if (doc.parentId) {
        await refreshWebsiteStatus(services, doc.parentId);
      }
      return c.body(null, 204);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/{kb_id}/documents/{doc_id}/chunks',
      tags,
      summary: 'A document\u2019s chunks in order, with where each came from',
      security: bearerSecurity,
      request: {
        headers: OrgHeaderSchema,
        params: DocParamsSchema,
        query: z.object({ cursor: z.string().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
      },
      responses: {
        200: jsonContent(z.object({ data: z.array(ChunkSchema), nextCursor: z.string().nullable() }), 'A page of chunks'),
        ...protectedErrors,
      },
    }),
    async (c) => {
      const { kb_id, doc_id } = c.req.valid('param');
      const doc = await findDocument(c, kb_id, doc_id);
      const { cursor, limit } = c.req.valid('query');
      const from = cursor ? Number(cursor) : 0;
      if (!Number.isInteger(from) || from < 0) throw new ApiError('bad_request', 'The cursor is not valid; start again without it');
      const rows = await c
        .get('services')
        .db.select({ id: chunks.id, position: chunks.position, content: chunks.content, tokenCount: chunks.tokenCount, location: chunks.location })
        .from(chunks)
        .where(inOrg(chunks, doc.organizationId, eq(chunks.documentId, doc.id), gt(chunks.position, from - 1)))
        .orderBy(asc(chunks.position))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      return c.json({ data: page, nextCursor: rows.length > limit ? String(page[page.length - 1].position + 1) : null }, 200);
    },
  );

  router.openapi(
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
      const doc = await findDocument(c, kb_id, doc_id);
      const services = c.get('services');
      if (doc.source === 'website') {
        await services.queue.enqueue('refresh-document', { documentId: doc.id }, { retries: 3 });
        return c.json(await publicDocument(services.db, doc), 202);
      }
      const started = await startProcessing(services, doc);
      return c.json(await publicDocument(services.db, started), 202);
    },
  );

  router.openapi(
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
      const doc = await findDocument(c, kb_id, doc_id);
      if (doc.source !== 'url' && doc.source !== 'website') {
        throw new ApiError('bad_request', 'Only web pages and websites can be refreshed; use reprocess for other documents');
      }
      const services = c.get('services');
      await services.queue.enqueue('refresh-document', { documentId: doc.id }, { retries: 3 });
      return c.json(await publicDocument(services.db, doc), 202);
    },
  );
}
