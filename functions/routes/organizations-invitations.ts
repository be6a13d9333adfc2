import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../core/audit';
import { listPendingInvitations, revokeInvitation } from '../core/orgs/invitations';
import { bearerSecurity, createRouter, jsonContent, protectedErrors } from '../lib/openapi';
import { auditActor } from '../lib/request';
import { requireRole } from '../middleware/auth';
import { InvitationParamsSchema, InvitationSchema, OrgParamsSchema } from './organizations.schemas';

/**
 * /api/v1/organizations/{id}/invitations: pending invitations (sending one: organizations-members.ts,
 * accepting one: invitations.ts). Mounted by organizations.ts, whose middleware authenticates.
 */
export const organizationsInvitationsRouter = createRouter();
const tags = ['Organizations'];

organizationsInvitationsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{org_id}/invitations',
    tags,
    summary: 'Pending invitations',
    security: bearerSecurity,
    request: { params: OrgParamsSchema },
    responses: { 200: jsonContent(z.object({ data: z.array(InvitationSchema) }), 'Pending'), ...protectedErrors },
  }),
  async (c) => c.json({ data: await listPendingInvitations(c.get('services').db, c.get('org').organizationId) }, 200),
);

organizationsInvitationsRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{org_id}/invitations/{invitation_id}',
    tags,
    summary: 'Revoke an invitation (admin)',
    security: bearerSecurity,
    request: { params: InvitationParamsSchema },
    responses: { 204: { description: 'Revoked' }, ...protectedErrors },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    const { invitation_id } = c.req.valid('param');
    const { db } = c.get('services');
    await revokeInvitation(db, access.organizationId, invitation_id);
    await recordAudit(db, auditActor(c), { action: 'member.invitation_revoked', organizationId: access.organizationId, targetType: 'invitation', targetId: invitation_id });
    return c.body(null, 204);
  },
);
