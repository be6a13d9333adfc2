import { createRoute } from '@hono/zod-openapi';
import { createCannedResponse, deleteCannedResponse, listCannedResponses, updateCannedResponse } from '../core/conversations/canned-responses';
import { OrgHeaderSchema, bearerSecurity, createRouter, errorResponse, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, minRole, withOrg } from '../middleware/auth';
import { CannedResponseBody, CannedResponseListQuery, CannedResponseListSchema, CannedResponseParams, CannedResponseSchema } from './canned-responses.schemas';

/** /api/v1/canned-responses: saved replies, per organization, that agents insert with `/shortcut` in the inbox's reply box. */
export const cannedResponsesRouter = createRouter();
cannedResponsesRouter.use('*', authenticate, withOrg);

const tags = ['Canned responses'];

cannedResponsesRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags,
    summary: 'Canned responses, by shortcut; `q` filters by shortcut or text',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, query: CannedResponseListQuery },
    responses: { 200: jsonContent(CannedResponseListSchema, 'Canned responses'), ...protectedErrors },
  }),
  async (c) => c.json({ data: await listCannedResponses(c.get('services').db, c.get('org').organizationId, c.req.valid('query').q?.trim()) }, 200),
);

cannedResponsesRouter.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags,
    summary: 'Create a canned response',
    security: bearerSecurity,
    middleware: [minRole('agent')] as const,
    request: { headers: OrgHeaderSchema, body: jsonBody(CannedResponseBody) },
    responses: { 201: jsonContent(CannedResponseSchema, 'Created'), 409: errorResponse('That shortcut exists'), ...protectedErrors },
  }),
  async (c) => c.json(await createCannedResponse(c.get('services').db, c.get('org').organizationId, c.req.valid('json')), 201),
);

cannedResponsesRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{canned_response_id}',
    tags,
    summary: 'Update a canned response',
    security: bearerSecurity,
    middleware: [minRole('agent')] as const,
    request: { headers: OrgHeaderSchema, params: CannedResponseParams, body: jsonBody(CannedResponseBody) },
    responses: { 200: jsonContent(CannedResponseSchema, 'Updated'), 409: errorResponse('That shortcut exists'), ...protectedErrors },
  }),
  async (c) => {
    const { canned_response_id } = c.req.valid('param');
    return c.json(await updateCannedResponse(c.get('services').db, c.get('org').organizationId, canned_response_id, c.req.valid('json')), 200);
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
    request: { headers: OrgHeaderSchema, params: CannedResponseParams },
    responses: { 204: { description: 'Deleted' }, ...protectedErrors },
  }),
  async (c) => {
    await deleteCannedResponse(c.get('services').db, c.get('org').organizationId, c.req.valid('param').canned_response_id);
    return c.body(null, 204);
  },
);
