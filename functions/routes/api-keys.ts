import { createRoute, z } from '@hono/zod-openapi';
import { desc, eq, isNull } from 'drizzle-orm';
import { apiKeys } from '../../db/schema';
import { recordAudit } from '../core/audit';
import { auditActor } from '../lib/request';
import { randomToken, sha256Hex } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { inOrg } from '../lib/tenancy';
import { API_KEY_PREFIX, authenticate, requireRole, withOrg } from '../middleware/auth';
import { RoleSchema } from './organizations.schemas';

export const apiKeysRouter = createRouter();
const tags = ['API keys'];
apiKeysRouter.use('*', authenticate, withOrg);

const ApiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().openapi({ example: 'vsk_Ab12Cd' }),
    role: RoleSchema,
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
  })
  .openapi('ApiKey');

function publicKey(row: typeof apiKeys.$inferSelect) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
  };
}

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
    const rows = await c
      .get('services')
      .db.select()
      .from(apiKeys)
      .where(inOrg(apiKeys, access.organizationId, isNull(apiKeys.revokedAt)))
      .orderBy(desc(apiKeys.createdAt));
    return c.json({ data: rows.map(publicKey) }, 200);
  },
);

apiKeysRouter.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags,
    summary: 'Create an API key (admin); the key is shown only in this response',
    security: bearerSecurity,
    request: {
      headers: OrgHeaderSchema,
      body: jsonBody(
        z.object({
          name: z.string().trim().min(1).max(100).openapi({ example: 'CRM sync' }),
          role: RoleSchema.exclude(['owner']).default('admin'),
          expiresInDays: z.number().int().min(1).max(3650).optional(),
        }),
      ),
    },
    responses: {
      201: jsonContent(z.object({ apiKey: ApiKeySchema, key: z.string().openapi({ example: 'vsk_…' }) }), 'Created'),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    const { name, role, expiresInDays } = c.req.valid('json');
    const key = `${API_KEY_PREFIX}${randomToken(32)}`;
    const principal = c.get('principal');
    const [row] = await c
      .get('services')
      .db.insert(apiKeys)
      .values({
        organizationId: access.organizationId,
        name,
        role,
        prefix: key.slice(0, 10),
        keyHash: await sha256Hex(key),
        createdBy: principal.kind === 'user' ? principal.userId : null,
        expiresAt: expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null,
      })
      .returning();
    await recordAudit(c.get('services').db, auditActor(c), {
      action: 'api_key.created',
      organizationId: access.organizationId,
      targetType: 'api_key',
      targetId: row.id,
      metadata: { name, role },
    });
    return c.json({ apiKey: publicKey(row), key }, 201);
  },
);

apiKeysRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{key_id}',
    tags,
    summary: 'Revoke an API key (admin)',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: z.object({ key_id: z.uuid() }) },
    responses: { 204: { description: 'Revoked' }, ...protectedErrors },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    const { key_id } = c.req.valid('param');
    const revoked = await c
      .get('services')
      .db.update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(inOrg(apiKeys, access.organizationId, eq(apiKeys.id, key_id), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    if (revoked.length === 0) throw new ApiError('not_found', 'API key not found');
    await recordAudit(c.get('services').db, auditActor(c), { action: 'api_key.revoked', organizationId: access.organizationId, targetType: 'api_key', targetId: key_id });
    return c.body(null, 204);
  },
);

