import { and, count, eq, ne } from 'drizzle-orm';
import { memberships, organizations, type Role } from '../../../db/schema';
import type { Database } from '../../ports';
import { ApiError } from '../../lib/errors';

export type OrganizationRow = typeof organizations.$inferSelect;

export function slugify(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return base || 'org';
}

/** Creates the organization with its creator as owner, in one transaction. */
export async function createOrganization(
  db: Database,
  ownerId: string,
  input: { name: string; timezone?: string; language?: string; description?: string; website?: string },
): Promise<OrganizationRow> {
  return db.transaction(async (tx) => {
    const suffix = crypto.randomUUID().slice(0, 6);
    const [org] = await tx
      .insert(organizations)
      .values({ ...input, slug: `${slugify(input.name)}-${suffix}` })
      .returning();
    await tx.insert(memberships).values({ organizationId: org.id, userId: ownerId, role: 'owner' });
    return org;
  });
}

export async function countOwners(db: Database, organizationId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.role, 'owner')));
  return row?.n ?? 0;
}

/**
 * Rules for changing someone's membership: admins manage agents and viewers; only owners touch
 * owners or make new ones; an organization always keeps at least one owner.
 */
export async function assertCanChangeMember(
  db: Database,
  organizationId: string,
  actorRole: Role,
  target: { userId: string; role: Role },
  newRole: Role | null,
) {
  const touchesOwner = target.role === 'owner' || newRole === 'owner';
  if (touchesOwner && actorRole !== 'owner') {
    throw new ApiError('insufficient_role', 'Only an owner can change owners');
  }
  if (actorRole === 'admin' && target.role === 'admin' && newRole !== 'admin') {
    throw new ApiError('insufficient_role', 'Only an owner can demote or remove an admin');
  }
  if (target.role === 'owner' && newRole !== 'owner' && (await countOwners(db, organizationId)) <= 1) {
    throw new ApiError('conflict', 'An organization needs at least one owner: make someone else owner first');
  }
}

export async function otherMemberCount(db: Database, organizationId: string, userId: string) {
  const [row] = await db
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.organizationId, organizationId), ne(memberships.userId, userId)));
  return row?.n ?? 0;
}

/** An organization as its member sees it: with their own role in it. */
export function publicOrganization(org: OrganizationRow, role: Role) {
  return {
    id: org.id,
    name: org.name,
    slug: org.slug,
    description: org.description,
    website: org.website,
    timezone: org.timezone,
    language: org.language,
    plan: org.plan,
    createdAt: org.createdAt.toISOString(),
    role,
  };
}
