import { createRoute, z } from '@hono/zod-openapi';
import { and, asc, eq, ilike, or } from 'drizzle-orm';
import { cannedResponses } from '../../db/schema';
import { ApiError } from '../lib/errors';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonBody, errorResponse, jsonContent, protectedErrors } from '../lib/openapi';
import { inOrg } from '../lib/tenancy';
import { authenticate, minRole, withOrg } from '../middleware/auth';
import { isUniqueViolation, likePattern } from '../lib/sql';

/** Saved replies, per organization, that agents insert with `/shortcut` in the inbox's reply box. */
export const cannedResponsesRouter = createRouter();
cannedResponsesRouter.use('*', authenticate, withOrg);

const tags = ['Canned responses'];
const Params = z.object({ canned_response_id: z.uuid() });

const CannedSchema = z
  .object({ id: z.uuid(), shortcut: z.string(), content: z.string(), createdAt: z.string(), updatedAt: z.string() })
  .openapi('CannedResponse');

const Body = z.object({
  shortcut: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'Letters, digits, - and _ only, without the slash')
    .openapi({ example: 'horario' }),
  content: z.string().trim().min(1).max(4000).openapi({ example: 'Nuestro horario es de lunes a viernes, de 9:00 a 18:00.' }),
});

type Row = typeof cannedResponses.$inferSelect;
const toPublic = (r: Row) => ({ id: r.id, shortcut: r.shortcut, content: r.content, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() });

cannedResponsesRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags,
    summary: 'Canned responses, by shortcut; `q` filters by shortcut or text',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, query: z.object({ q: z.string().max(100).optional() }) },
    responses: { 200: jsonContent(z.object({ data: z.array(CannedSchema) }), 'Canned responses'), ...protectedErrors },
  }),
  async (c) => {
    const q = c.req.valid('query').q?.trim();
    const rows = await c
      .get('services')
      .db.select()
      .from(cannedResponses)
      .where(inOrg(cannedResponses, c.get('org').organizationId, q ? or(ilike(cannedResponses.shortcut, likePattern(q)), ilike(cannedResponses.content, likePattern(q))) : undefined))
      .orderBy(asc(cannedResponses.shortcut))
      .limit(500);
    return c.json({ data: rows.map(toPublic) }, 200);
  },
);

cannedResponsesRouter.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags,
    summary: 'Create a canned response',
    security: bearerSecurity,
    middleware: [minRole('agent')] as const,
    request: { headers: OrgHeaderSchema, body: jsonBody(Body) },
    responses: { 201: jsonContent(CannedSchema, 'Created'), 409: errorResponse('That shortcut exists'), ...protectedErrors },
  }),
  async (c) => {
    try {
      const [row] = await c
        .get('services')
        .db.insert(cannedResponses)
        .values({ ...c.req.valid('json'), organizationId: c.get('org').organizationId })
        .returning();
      return c.json(toPublic(row), 201);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ApiError('conflict', 'A canned response with that shortcut already exists');
      throw error;
    }
  },
);

cannedResponsesRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{canned_response_id}',
    tags,
    summary: 'Update a canned response',
    security: bearerSecurity,
    middleware: [minRole('agent')] as const,
    request: { headers: OrgHeaderSchema, params: Params, body: jsonBody(Body) },
    responses: { 200: jsonContent(CannedSchema, 'Updated'), 409: errorResponse('That shortcut exists'), ...protectedErrors },
  }),
  async (c) => {
    try {
      const [row] = await c
        .get('services')
        .db.update(cannedResponses)
        .set(c.req.valid('json'))
        .where(inOrg(cannedResponses, c.get('org').organizationId, eq(cannedResponses.id, c.req.valid('param').canned_response_id)))
        .returning();
      if (!row) throw new ApiError('not_found', 'Canned response not found');
      return c.json(toPublic(row), 200);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ApiError('conflict', 'A canned response with that shortcut already exists');
      throw error;
    }
  },
);

cannedResponsesRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{canned_response_id}',
    tags,
    summary: 'Delete a canned response',
    security: bearerSecurity,
    middleware: [minRole('agent')] as const,
    request: { headers: OrgHeaderSchema, params: Params },
    responses: { 204: { description: 'Deleted' }, ...protectedErrors },
  }),
  async (c) => {
    const [row] = await c
      .get('services')
      .db.delete(cannedResponses)
      .where(and(inOrg(cannedResponses, c.get('org').organizationId), eq(cannedResponses.id, c.req.valid('param').canned_response_id)))
      .returning({ id: cannedResponses.id });
    if (!row) throw new ApiError('not_found', 'Canned response not found');
    return c.body(null, 204);
  },
);
