import { createRoute, z } from '@hono/zod-openapi';
import { and, desc, eq, lt, or } from 'drizzle-orm';
import { auditLog, users } from '../../db/schema';
import { CursorQuerySchema, OrgHeaderSchema, bearerSecurity, createRouter, jsonContent, protectedErrors } from '../lib/openapi';
import { decodeCursor, toPage } from '../lib/pagination';
import { inOrg } from '../lib/tenancy';
import { authenticate, requireRole, withOrg } from '../middleware/auth';

export const auditRouter = createRouter();
auditRouter.use('*', authenticate, withOrg);

const AuditEntrySchema = z
  .object({
    id: z.uuid(),
    action: z.string().openapi({ example: 'member.role_changed' }),
    actor: z.object({ id: z.uuid(), name: z.string(), email: z.string() }).nullable(),
    apiKeyId: z.uuid().nullable(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    ip: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  })
  .openapi('AuditEntry');

auditRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Audit log'],
    summary: 'Security-relevant actions in the organization (admin), newest first',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, query: CursorQuerySchema.extend({ action: z.string().max(64).optional() }) },
    responses: {
      200: jsonContent(z.object({ data: z.array(AuditEntrySchema), nextCursor: z.string().nullable() }), 'A page of entries'),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    const { limit, cursor, action } = c.req.valid('query');
    const after = decodeCursor(cursor);
    const rows = await c
      .get('services')
      .db.select({ entry: auditLog, actor: { id: users.id, name: users.name, email: users.email } })
      .from(auditLog)
      .leftJoin(users, eq(users.id, auditLog.actorUserId))
      .where(
        inOrg(
          auditLog,
          access.organizationId,
          action ? eq(auditLog.action, action) : undefined,
          after
            ? or(
                lt(auditLog.createdAt, new Date(after.createdAt)),
                and(eq(auditLog.createdAt, new Date(after.createdAt)), lt(auditLog.id, after.id)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
      .limit(limit + 1);
    const { page, nextCursor } = toPage(
      rows.map((r) => ({ ...r, id: r.entry.id, createdAt: r.entry.createdAt })),
      limit,
    );
    return c.json(
      {
        data: page.map(({ entry, actor }) => ({
          id: entry.id,
          action: entry.action,
          actor: actor?.id ? { id: actor.id, name: actor.name, email: actor.email } : null,
          apiKeyId: entry.actorApiKeyId,
          targetType: entry.targetType,
          targetId: entry.targetId,
          ip: entry.ip,
          metadata: entry.metadata,
          createdAt: entry.createdAt.toISOString(),
        })),
        nextCursor,
      },
      200,
    );
  },
);
