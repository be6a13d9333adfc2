import { createRoute, z } from '@hono/zod-openapi';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { invitations, memberships, organizations } from '../../db/schema';
import { recordAudit } from '../core/audit';
import { auditActor } from '../lib/request';
import { findUserById, normalizeEmail } from '../core/auth/users';
import { publicOrganization } from '../core/orgs/organizations';
import { sha256Hex } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import { bearerSecurity, createRouter, jsonBody, errorResponse, jsonContent, protectedErrors, publicErrors } from '../lib/openapi';
import type { Database } from '../ports';
import { authenticate, requireUser } from '../middleware/auth';
import { OrganizationSchema, RoleSchema } from './organizations.schemas';

export const invitationsRouter = createRouter();
const tags = ['Organizations'];

async function findOpenInvitation(db: Database, token: string) {
  const [row] = await db
    .select({ invitation: invitations, organization: organizations })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.organizationId))
    .where(
      and(
        eq(invitations.tokenHash, await sha256Hex(token)),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, new Date()),
      ),
    )
    .limit(1);
  if (!row) throw new ApiError('not_found', 'This invitation is not valid, was already used, or has expired');
  return row;
}

invitationsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{token}',
    tags,
    summary: 'Preview an invitation before accepting it',
    request: { params: z.object({ token: z.string().min(10) }) },
    responses: {
      200: jsonContent(
        z.object({ organizationName: z.string(), email: z.string(), role: RoleSchema, expiresAt: z.string() }),
        'The invitation',
      ),
      404: errorResponse('Unknown, used or expired'),
      ...publicErrors,
    },
  }),
  async (c) => {
    const { invitation, organization } = await findOpenInvitation(c.get('services').db, c.req.valid('param').token);
    return c.json(
      {
        organizationName: organization.name,
        email: invitation.email,
        role: invitation.role,
        expiresAt: invitation.expiresAt.toISOString(),
      },
      200,
    );
  },
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
    request: { body: jsonBody(z.object({ token: z.string().min(10) })) },
    responses: { 200: jsonContent(z.object({ organization: OrganizationSchema }), 'Joined'), ...protectedErrors },
  }),
  async (c) => {
    const principal = requireUser(c);
    const { db } = c.get('services');
    const { invitation, organization } = await findOpenInvitation(db, c.req.valid('json').token);
    const user = await findUserById(db, principal.userId);
    if (!user || normalizeEmail(user.email) !== invitation.email) {
      throw new ApiError('forbidden', `This invitation was sent to ${invitation.email}; sign in with that account`);
    }
    await db.transaction(async (tx) => {
      await tx.update(invitations).set({ acceptedAt: new Date() }).where(eq(invitations.id, invitation.id));
      await tx
        .insert(memberships)
        .values({ organizationId: invitation.organizationId, userId: user.id, role: invitation.role, invitedBy: invitation.invitedBy })
        .onConflictDoUpdate({
          target: [memberships.organizationId, memberships.userId],
          set: { role: sql`${memberships.role}` },
        });
    });
    // Whoever already belonged keeps their role; accepting only adds membership.
    const [membership] = await db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.organizationId, organization.id), eq(memberships.userId, user.id)));
    await recordAudit(c.get('services').db, auditActor(c), {
      action: 'member.joined',
      organizationId: organization.id,
      targetType: 'user',
      targetId: user.id,
      metadata: { role: membership.role, invitationId: invitation.id },
    });
    return c.json({ organization: publicOrganization(organization, membership.role) }, 200);
  },
);
