import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../core/audit';
import { listSessions, revokeOwnSession } from '../core/auth/sessions';
import { bearerSecurity, createRouter, jsonContent, protectedErrors } from '../lib/openapi';
import { auditActor } from '../lib/request';
import { authenticate, requireUser } from '../middleware/auth';
import { SessionParamsSchema, SessionSchema } from './auth.schemas';

/** /api/v1/auth/sessions: the devices signed in to the account. */
export const authSessionsRouter = createRouter();
const tags = ['Auth'];

authSessionsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/sessions',
    tags,
    summary: 'Devices signed in to this account',
    security: bearerSecurity,
    middleware: [authenticate] as const,
    responses: { 200: jsonContent(z.object({ data: z.array(SessionSchema) }), 'Active sessions'), ...protectedErrors },
  }),
  async (c) => {
    const principal = requireUser(c);
    const rows = await listSessions(c.get('services').db, principal.userId);
    const data = rows.map((row) => ({
      id: row.id,
      userAgent: row.userAgent,
      ip: row.ip,
      createdAt: row.createdAt.toISOString(),
      lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
      current: row.id === principal.sessionId,
    }));
    return c.json({ data }, 200);
  },
);

authSessionsRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/sessions/{session_id}',
    tags,
    summary: 'Sign out one device',
    description: 'Its refresh token stops working at once; an access token it holds expires within minutes.',
    security: bearerSecurity,
    middleware: [authenticate] as const,
    request: { params: SessionParamsSchema },
    responses: { 204: { description: 'Revoked' }, ...protectedErrors },
  }),
  async (c) => {
    const principal = requireUser(c);
    const { session_id } = c.req.valid('param');
    const services = c.get('services');
    await revokeOwnSession(services, principal.userId, session_id);
    await recordAudit(services.db, auditActor(c), { action: 'auth.session_revoked', targetType: 'session', targetId: session_id });
    return c.body(null, 204);
  },
);
