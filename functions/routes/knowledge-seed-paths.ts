import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { onlyKnowledgeBaseId } from '../core/knowledge/knowledge-bases';
import { ApiError } from '../lib/errors';
import type { AppEnv } from '../lib/env';
import { OrgHeaderSchema, bearerSecurity, createRouter, protectedErrors } from '../lib/openapi';
import { authenticate, withOrg } from '../middleware/auth';

/**
 * The product brief's original paths (`/api/v1/knowledge-base/...`), kept working for clients
 * built against it. Each forwards to the canonical `/api/v1/knowledge-bases/{kb_id}/...` route,
 * so behaviour, validation and errors are exactly the same; the knowledge base comes from the
 * `knowledge_base_id` query parameter, or is the organization's only one.
 */
type Dispatch = (request: Request, c: Context<AppEnv>) => Response | Promise<Response>;

const KbQuerySchema = z.object({
  knowledge_base_id: z.uuid().optional().openapi({ description: 'Which knowledge base; optional when the organization has exactly one' }),
});

async function resolveKnowledgeBaseId(c: Context<AppEnv>): Promise<string> {
  const requested = c.req.query('knowledge_base_id');
  if (requested) return requested;
  return onlyKnowledgeBaseId(c.get('services').db, c.get('org').organizationId);
}

async function forward(c: Context<AppEnv>, dispatch: Dispatch, canonicalSuffix: string, extraQuery: Record<string, string> = {}, bodyOverride?: string) {
  const kbId = await resolveKnowledgeBaseId(c);
  const url = new URL(c.req.url);
  url.pathname = `/api/v1/knowledge-bases/${kbId}${canonicalSuffix}`;
  url.searchParams.delete('knowledge_base_id');
  for (const [k, v] of Object.entries(extraQuery)) url.searchParams.set(k, v);
  const hasBody = c.req.method !== 'GET' && c.req.method !== 'HEAD';
  const init: RequestInit & { duplex?: 'half' } = {
    method: c.req.method,
    headers: c.req.raw.headers,
    // The body may already have been read (the text check in lib/body.ts); Hono keeps it cached.
    body: hasBody ? (bodyOverride ?? (await c.req.arrayBuffer())) : undefined,
    duplex: 'half',
  };
  return dispatch(new Request(url, init), c);
}

const alias = (method: 'get' | 'post' | 'put' | 'delete', path: string, summary: string, params?: z.ZodObject, readOnly = false) =>
  createRoute({
    method,
    ...(readOnly ? { 'x-read-only': true } : {}),
    // Aliases of the Knowledge base operations: listed in the document (clients and the security
    // suite see them) but not drawn a second time on the reference page.
    'x-scalar-ignore': true,
    path,
    tags: ['Knowledge base (brief paths)'],
    summary,
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, query: KbQuerySchema, ...(params ? { params } : {}) },
    responses: { 200: { description: 'As the canonical route' }, 202: { description: 'As the canonical route' }, 204: { description: 'As the canonical route' }, ...protectedErrors },
  });

const DocIdSchema = z.object({ doc_id: z.uuid().openapi({ param: { name: 'doc_id', in: 'path' } }) });

export function createKnowledgeSeedPathsRouter(dispatch: Dispatch) {
  const router = createRouter();
  router.use('*', authenticate, withOrg);
  const same = (suffix: (c: Context<AppEnv>) => string) => (c: Context<AppEnv>) => forward(c, dispatch, suffix(c));

  router.openapi(alias('get', '/documents', 'List documents (= GET /knowledge-bases/{kb_id}/documents)'), same(() => '/documents'));
  router.openapi(alias('post', '/documents/upload', 'Upload a file (= POST /knowledge-bases/{kb_id}/documents/upload)'), same(() => '/documents/upload'));
  router.openapi(alias('get', '/documents/{doc_id}', 'One document', DocIdSchema), same((c) => `/documents/${c.req.param('doc_id')}`));
  router.openapi(alias('put', '/documents/{doc_id}', 'Rename a document', DocIdSchema), same((c) => `/documents/${c.req.param('doc_id')}`));
  router.openapi(alias('delete', '/documents/{doc_id}', 'Delete a document', DocIdSchema), same((c) => `/documents/${c.req.param('doc_id')}`));
  router.openapi(alias('post', '/search', 'Search with the knowledge base\u2019s retrieval settings (hybrid by default)', undefined, true), same(() => '/search'));
  router.openapi(alias('post', '/semantic-search', 'Vector-only search (= /search with mode "vector")', undefined, true), (async (c: Context<AppEnv>) => {
    const body = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
    if (!body || typeof body !== 'object') throw new ApiError('bad_request', 'The request body is not valid JSON');
    return forward(c, dispatch, '/search', {}, JSON.stringify({ ...body, mode: 'vector' }));
  }));
  router.openapi(alias('get', '/config', 'Embedding, chunking and retrieval settings (= GET /knowledge-bases/{kb_id})'), same(() => ''));
  router.openapi(alias('put', '/config', 'Change the settings (= PUT /knowledge-bases/{kb_id})'), same(() => ''));
  router.openapi(alias('post', '/reindex', 'Re-process every document'), same(() => '/reindex'));
  return router;
}
