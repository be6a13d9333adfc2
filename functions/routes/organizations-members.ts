import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../core/audit';
import { inviteMember } from '../core/orgs/invitations';
import { changeMemberRole, listMembers, removeMember } from '../core/orgs/members';
import { enforceRateLimit } from '../lib/rate-limit';
import { bearerSecurity, createRouter, errorResponse, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { auditActor } from '../lib/request';
import { requireRole } from '../middleware/auth';
import { InvitationSchema, InviteBodySchema, MemberParamsSchema, MemberSchema, OrgParamsSchema, RoleSchema } from './organizations.schemas';

/** /api/v1/organizations/{id}/members: who belongs and with which role. Mounted by organizations.ts (its middleware authenticates). */
export const organizationsMembersRouter = createRouter();
const tags = ['Organizations'];

organizationsMembersRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{org_id}/members',
    tags,
    summary: 'Members and their roles',
    security: bearerSecurity,
    request: { params: OrgParamsSchema },
    responses: { 200: jsonContent(z.object({ data: z.array(MemberSchema) }), 'Members'), ...protectedErrors },
  }),
  async (c) => c.json({ data: await listMembers(c.get('services').db, c.get('org').organizationId) }, 200),
);

organizationsMembersRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{org_id}/members/invite',
    tags,
    summary: 'Invite someone by email (admin)',
    description: 'Mails a link valid for 7 days. Only owners can invite owners.',
    security: bearerSecurity,
    request: { params: OrgParamsSchema, body: jsonBody(InviteBodySchema) },
    responses: {
      201: jsonContent(InvitationSchema, 'Invitation sent'),
      409: errorResponse('Already a member'),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    const input = c.req.valid('json');
    if (input.role === 'owner') requireRole(access, 'owner');
    const services = c.get('services');
    await enforceRateLimit(services.kv, `invite:${access.organizationId}`, 50, 3600, 'Too many invitations this hour');
    const principal = c.get('principal');
    const invitation = await inviteMember(services, access.organizationId, principal.kind === 'user' ? principal.userId : null, input);
    await recordAudit(services.db, auditActor(c), {
      action: 'member.invited',
      organizationId: access.organizationId,
      targetType: 'invitation',
      targetId: invitation.id,
      metadata: { email: invitation.email, role: invitation.role },
    });
    return c.json(invitation, 201);
  },
);

organizationsMembersRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{org_id}/members/{user_id}',
    tags,
    summary: 'Change a member\u2019s role (admin)',
    security: bearerSecurity,
    request: { params: MemberParamsSchema, body: jsonBody(z.object({ role: RoleSchema })) },
    responses: {
      200: jsonContent(z.object({ userId: z.uuid(), role: RoleSchema }), 'Changed'),
      409: errorResponse('It would leave the organization without an owner'),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    const { user_id } = c.req.valid('param');
    const { role } = c.req.valid('json');
    const { db } = c.get('services');
    const previous = await changeMemberRole(db, access.organizationId, access.role, user_id, role);
    await recordAudit(db, auditActor(c), {
      action: 'member.role_changed',
      organizationId: access.organizationId,
      targetType: 'user',
      targetId: user_id,
      metadata: { from: previous, to: role },
    });
    return c.json({ userId: user_id, role }, 200);
  },
);

organizationsMembersRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{org_id}/members/{user_id}',
    tags,
    summary: 'Remove a member (admin), or leave (yourself)',
    description: 'The last owner cannot leave or be removed.',
    security: bearerSecurity,
    request: { params: MemberParamsSchema },
    responses: { 204: { description: 'Removed' }, 409: errorResponse('The last owner cannot leave or be removed'), ...protectedErrors },
  }),
  async (c) => {
    const access = c.get('org');
    const { user_id } = c.req.valid('param');
    const principal = c.get('principal');
    const leaving = principal.kind === 'user' && principal.userId === user_id;
    if (!leaving) requireRole(access, 'admin');
    const { db } = c.get('services');
    // Anyone may leave; only the last-owner rule applies to oneself.
    const role = await removeMember(db, access.organizationId, leaving ? 'owner' : access.role, user_id);
    await recordAudit(db, auditActor(c), {
      action: 'member.removed',
      organizationId: access.organizationId,
      targetType: 'user',
      targetId: user_id,
      metadata: { role, leaving },
    });
    return c.body(null, 204);
  },
);
