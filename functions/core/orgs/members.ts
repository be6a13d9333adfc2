import { eq } from 'drizzle-orm';
import { memberships, users, type Role } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import type { Database } from '../../ports';
import { assertCanChangeMember } from './organizations';

export async function listMembers(db: Database, organizationId: string) {
  const rows = await db
    .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(inOrg(memberships, organizationId))
    .orderBy(memberships.createdAt);
  return rows.map((r) => ({ ...r, joinedAt: r.joinedAt.toISOString() }));
}

async function findMember(db: Database, organizationId: string, userId: string) {
  const [row] = await db
    .select()
    .from(memberships)
    .where(inOrg(memberships, organizationId, eq(memberships.userId, userId)))
    .limit(1);
  if (!row) throw new ApiError('not_found', 'Member not found');
  return row;
}

/** Gives a member another role, within the actor's rights; returns the previous role. */
export async function changeMemberRole(db: Database, organizationId: string, actorRole: Role, userId: string, role: Role) {
  const member = await findMember(db, organizationId, userId);
  await assertCanChangeMember(db, organizationId, actorRole, member, role);
  await db.update(memberships).set({ role }).where(eq(memberships.id, member.id));
  return member.role;
}

/** Removes a member (leaving counts as the owner's right over oneself); returns the role they had. */
export async function removeMember(db: Database, organizationId: string, actorRole: Role, userId: string) {
  const member = await findMember(db, organizationId, userId);
  await assertCanChangeMember(db, organizationId, actorRole, member, null);
  await db.delete(memberships).where(eq(memberships.id, member.id));
  return member.role;
}
