import { createRoute } from '@hono/zod-openapi';
import { listAuditEntries } from '../core/audit';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, requireRole, withOrg } from '../middleware/auth';
import { AuditPageSchema, AuditQuerySchema } from './audit.schemas';

export const auditRouter = createRouter();
auditRouter.use('*', authenticate, withOrg);

auditRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Audit log'],
    summary: 'Security-relevant actions in the organization (admin), newest first',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, query: AuditQuerySchema },
    responses: { 200: jsonContent(AuditPageSchema, 'A page of entries'), ...protectedErrors },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    return c.json(await listAuditEntries(c.get('services').db, access.organizationId, c.req.valid('query')), 200);
  },
);
