import { createRoute } from '@hono/zod-openapi';
import { recordAudit } from '../core/audit';
import { acceptInvitation, previewInvitation } from '../core/orgs/invitations';
import { publicOrganization } from '../core/orgs/organizations';
import { bearerSecurity, createRouter, errorResponse, jsonBody, jsonContent, protectedErrors, publicErrors } from '../lib/openapi';
import { auditActor } from '../lib/request';
import { authenticate, requireUser } from '../middleware/auth';
import { AcceptInvitationBodySchema, InvitationPreviewSchema, InvitationTokenParamsSchema, JoinedSchema } from './invitations.schemas';

/** /api/v1/invitations: the invitee's side of an invitation link (sending: organizations-members.ts). */
export const invitationsRouter = createRouter();
const tags = ['Organizations'];

invitationsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{token}',
    tags,
    summary: 'Preview an invitation before accepting it',
    request: { params: InvitationTokenParamsSchema },
    responses: {
      200: jsonContent(InvitationPreviewSchema, 'The invitation'),
      404: errorResponse('Unknown, used or expired'),
      ...publicErrors,
    },
  }),
  async (c) => c.json(await previewInvitation(c.get('services').db, c.req.valid('param').token), 200),
);

invitationsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/accept',
    tags,
    summary: 'Accept an invitation as the signed-in user',
    description: 'The account email must match the invited email.',
    security: bearerSecurity,
    middleware: [authenticate] as const,
    request: { body: jsonBody(AcceptInvitationBodySchema) },
    responses: { 200: jsonContent(JoinedSchema, 'Joined'), ...protectedErrors },
  }),
  async (c) => {
    const principal = requireUser(c);
    const { db } = c.get('services');
    const joined = await acceptInvitation(db, principal.userId, c.req.valid('json').token);
    await recordAudit(db, auditActor(c), {
      action: 'member.joined',
      organizationId: joined.organization.id,
      targetType: 'user',
      targetId: principal.userId,
      metadata: { role: joined.role, invitationId: joined.invitationId },
    });
    return c.json({ organization: publicOrganization(joined.organization, joined.role) }, 200);
  },
);
