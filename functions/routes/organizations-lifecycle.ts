import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../core/audit';
import { cancelDeletion, exportOrganization, findDeletion, publicDeletion, scheduleDeletion } from '../core/lifecycle/organization-deletion';
import { verifyPassword } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import { bearerSecurity, createRouter, errorResponse, jsonBody, jsonContent, JsonObjectSchema, protectedErrors } from '../lib/openapi';
import { auditActor } from '../lib/request';
import { minRole } from '../middleware/auth';
import { currentUser } from './auth.shared';
import { OrgParamsSchema } from './organizations.schemas';

/**
 * /api/v1/organizations/{org_id}/deletion and /export: deleting an organization with a grace
 * period (scheduled, cancellable, purged by the nightly job) and its final export.
 */
export const organizationsLifecycleRouter = createRouter();
const tags = ['Organizations'];
// authenticate and withOrg come from organizationsRouter, which mounts this one.

const DeletionSchema = z
  .object({
    scheduled: z.boolean(),
    purgeAfter: z.string().nullable().openapi({ description: 'When the organization and everything in it are purged' }),
    requestedAt: z.string().nullable(),
  })
  .openapi('OrganizationDeletion');

organizationsLifecycleRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{org_id}/deletion',
    tags,
    summary: 'Whether the organization is scheduled for deletion',
    security: bearerSecurity,
    request: { params: OrgParamsSchema },
    middleware: [minRole('admin')],
    responses: { 200: jsonContent(DeletionSchema, 'Deletion status'), ...protectedErrors },
  }),
  async (c) => c.json(publicDeletion(await findDeletion(c.get('services').db, c.get('org').organizationId)), 200),
);

organizationsLifecycleRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{org_id}/deletion',
    tags,
    summary: 'Schedule the organization\u2019s deletion (owner, password re-checked)',
    description: 'Purged by the nightly job after ORG_DELETION_GRACE_DAYS (14 by default); cancel before that with DELETE.',
    security: bearerSecurity,
    request: { params: OrgParamsSchema, body: jsonBody(z.object({ password: z.string().min(1) })) },
    middleware: [minRole('owner')],
    responses: { 202: jsonContent(DeletionSchema, 'Scheduled'), 409: errorResponse('Already scheduled'), ...protectedErrors },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const services = c.get('services');
    const owner = await currentUser(c);
    if (!(await verifyPassword(c.req.valid('json').password, owner.passwordHash))) {
      throw new ApiError('invalid_credentials', 'The password is not correct');
    }
    const row = await scheduleDeletion(services.db, organizationId, owner.id, services.config.ORG_DELETION_GRACE_DAYS);
    await recordAudit(services.db, auditActor(c), {
      action: 'organization.deletion_scheduled',
      organizationId,
      targetType: 'organization',
      targetId: organizationId,
      metadata: { purgeAfter: row.purgeAfter.toISOString() },
    });
    return c.json(publicDeletion(row), 202);
  },
);

organizationsLifecycleRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{org_id}/deletion',
    tags,
    summary: 'Cancel the scheduled deletion (owner)',
    security: bearerSecurity,
    request: { params: OrgParamsSchema },
    middleware: [minRole('owner')],
    responses: { 200: jsonContent(DeletionSchema, 'Cancelled'), ...protectedErrors },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const { db } = c.get('services');
    await cancelDeletion(db, organizationId);
    await recordAudit(db, auditActor(c), { action: 'organization.deletion_cancelled', organizationId, targetType: 'organization', targetId: organizationId });
    return c.json(publicDeletion(undefined), 200);
  },
);

organizationsLifecycleRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{org_id}/export',
    tags,
    summary: 'Download everything the organization holds as JSON (owner)',
    description: 'Settings, members, bots, knowledge, flows, contacts, conversations and messages, webhooks and the audit log; credentials are left out.',
    security: bearerSecurity,
    request: { params: OrgParamsSchema },
    middleware: [minRole('owner')],
    responses: { 200: jsonContent(JsonObjectSchema, 'The export (sent as an attachment)'), ...protectedErrors },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const data = await exportOrganization(c.get('services').db, organizationId);
    c.header('content-disposition', `attachment; filename="versaai-organization-${organizationId}.json"`);
    return c.json(JSON.parse(JSON.stringify(data)) as Record<string, never>, 200);
  },
);
