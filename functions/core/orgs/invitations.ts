import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import { invitations, memberships, organizations, users, type Role } from '../../../db/schema';
import { randomToken, sha256Hex } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import type { Database, Services } from '../../ports';
import { renderMail } from '../auth/mail-templates';
import { findUserById, normalizeEmail } from '../auth/users';
import { enqueueMail } from '../jobs/queue';
import { findOrganization } from './manage';
import { assertWithinLimit } from '../billing/limits';

const INVITATION_TTL_MS = 7 * 86_400_000;

export function publicInvitation(row: typeof invitations.$inferSelect) {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    expiresAt: row.expiresAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * Invites an email to the organization with a role and mails the single-use link (valid 7 days).
 * `inviterId` is the person inviting (null for an API key: the mail then names the organization).
 */
export async function inviteMember(
  services: Pick<Services, 'db' | 'config' | 'queue'>,
  organizationId: string,
  inviterId: string | null,
  input: { email: string; role: Role },
) {
  const { db, config } = services;
  const email = normalizeEmail(input.email);
  const [existing] = await db
    .select({ id: users.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(inOrg(memberships, organizationId, sql`lower(${users.email}) = ${email}`))
    .limit(1);
  if (existing) throw new ApiError('conflict', 'This person is already a member');
  await assertWithinLimit(services, organizationId, 'members');

  const token = randomToken(32);
  const [invitation] = await db
    .insert(invitations)
    .values({
      organizationId,
      email,
      role: input.role,
      tokenHash: await sha256Hex(token),
      invitedBy: inviterId,
      expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
    })
    .returning();
  const org = await findOrganization(db, organizationId);
  const inviter = inviterId ? await findUserById(db, inviterId) : undefined;
  const link = `${config.APP_URL}/invite/${encodeURIComponent(token)}`;
  await enqueueMail(services, renderMail('invite', org.language, email, { inviter: inviter?.name ?? org.name, org: org.name, role: input.role, link }));
  return publicInvitation(invitation);
}

/** Invitations not yet accepted, revoked or expired, newest first. */
export async function listPendingInvitations(db: Database, organizationId: string) {
  const rows = await db
    .select()
    .from(invitations)
    .where(inOrg(invitations, organizationId, isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, new Date())))
    .orderBy(desc(invitations.createdAt));
  return rows.map(publicInvitation);
}

export async function revokeInvitation(db: Database, organizationId: string, invitationId: string) {
  const revoked = await db
    .update(invitations)
    .set({ revokedAt: new Date() })
    .where(inOrg(invitations, organizationId, eq(invitations.id, invitationId), isNull(invitations.acceptedAt)))
    .returning({ id: invitations.id });
  if (revoked.length === 0) throw new ApiError('not_found', 'Invitation not found');
}

/** An invitation that can still be accepted, with its organization; 404 for unknown, used, revoked or expired. */
export async function findOpenInvitation(db: Database, token: string) {
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

/** What the invitation page shows before the invitee accepts. */
export async function previewInvitation(db: Database, token: string) {
  const { invitation, organization } = await findOpenInvitation(db, token);
  return { organizationName: organization.name, email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt.toISOString() };
}

/**
 * Joins the user to the organization; the invitation is for one email and is used up. Whoever
 * already belonged keeps their role: accepting only adds membership.
 */
export async function acceptInvitation(db: Database, userId: string, token: string) {
  const { invitation, organization } = await findOpenInvitation(db, token);
  const user = await findUserById(db, userId);
  if (!user || normalizeEmail(user.email) !== invitation.email) {
    throw new ApiError('forbidden', `This invitation was sent to ${invitation.email}; sign in with that account`);
  }
  await db.transaction(async (tx) => {
    await tx.update(invitations).set({ acceptedAt: new Date() }).where(eq(invitations.id, invitation.id));
    await tx
      .insert(memberships)
      .values({ organizationId: invitation.organizationId, userId: user.id, role: invitation.role, invitedBy: invitation.invitedBy })
      .onConflictDoUpdate({ target: [memberships.organizationId, memberships.userId], set: { role: sql`${memberships.role}` } });
  });
  const [membership] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.organizationId, organization.id), eq(memberships.userId, user.id)));
  return { invitationId: invitation.id, organization, role: membership.role };
}
