import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../core/audit';
import { createApiKey, listApiKeys, revokeApiKey, updateApiKey } from '../core/orgs/api-keys';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { auditActor } from '../lib/request';
import { API_KEY_PREFIX, authenticate, requireRole, withOrg } from '../middleware/auth';
import { ApiKeyParamsSchema, ApiKeySchema, CreateApiKeySchema, CreatedApiKeySchema, UpdateApiKeySchema } from './api-keys.schemas';

/** /api/v1/api-keys: keys that act as the organization, for servers and integrations. */
export const apiKeysRouter = createRouter();
const tags = ['API keys'];
apiKeysRouter.use('*', authenticate, withOrg);

apiKeysRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags,
    summary: 'The organization\u2019s active API keys',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema },
    responses: { 200: jsonContent(z.object({ data: z.array(ApiKeySchema) }), 'Keys (never the secret)'), ...protectedErrors },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    return c.json({ data: await listApiKeys(c.get('services'), access.organizationId) }, 200);
  },
);

apiKeysRouter.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags,
    summary: 'Create an API key (admin); the key is shown only in this response',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, body: jsonBody(CreateApiKeySchema) },
    responses: { 201: jsonContent(CreatedApiKeySchema, 'Created'), ...protectedErrors },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    const input = c.req.valid('json');
    const principal = c.get('principal');
    const { db } = c.get('services');
    const created = await createApiKey(db, access.organizationId, principal.kind === 'user' ? principal.userId : null, input, API_KEY_PREFIX);
    await recordAudit(db, auditActor(c), {
      action: 'api_key.created',
      organizationId: access.organizationId,
      targetType: 'api_key',
      targetId: created.apiKey.id,
      metadata: { name: input.name, role: input.role, scopes: input.scopes, rateLimitPerMinute: input.rateLimitPerMinute ?? null },
    });
    return c.json(created, 201);
  },
);

apiKeysRouter.openapi(
  createRoute({
    method: 'patch',
    path: '/{key_id}',
    tags,
    summary: 'Rename a key, change its scopes or its requests per minute (admin)',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: ApiKeyParamsSchema, body: jsonBody(UpdateApiKeySchema) },
    responses: { 200: jsonContent(ApiKeySchema, 'The key as it is now'), ...protectedErrors },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    const { key_id } = c.req.valid('param');
    const changes = c.req.valid('json');
    const services = c.get('services');
    const { db } = services;
    const updated = await updateApiKey(services, access.organizationId, key_id, changes);
    await recordAudit(db, auditActor(c), {
      action: 'api_key.updated',
      organizationId: access.organizationId,
      targetType: 'api_key',
      targetId: key_id,
      metadata: changes,
    });
    return c.json(updated, 200);
  },
);

apiKeysRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{key_id}',
    tags,
    summary: 'Revoke an API key (admin)',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: ApiKeyParamsSchema },
    responses: { 204: { description: 'Revoked' }, ...protectedErrors },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    const { key_id } = c.req.valid('param');
    const services = c.get('services');
    const { db } = services;
    await revokeApiKey(services, access.organizationId, key_id);
    await recordAudit(db, auditActor(c), { action: 'api_key.revoked', organizationId: access.organizationId, targetType: 'api_key', targetId: key_id });
    return c.body(null, 204);
  },
);
