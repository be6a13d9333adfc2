import { eq, sql } from 'drizzle-orm';
import { memberships, organizations } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import type { Principal } from '../../lib/principal';
import type { Database } from '../../ports';
import { publicOrganization } from './organizations';

export interface OrganizationChanges {
  name?: string;
  description?: string | null;
  website?: string | null;
  timezone?: string;
  language?: 'es' | 'en';
}

/** A person's organizations with their role in each; an API key's one organization with the key's role. */
export async function listOrganizations(db: Database, principal: Principal) {
  const rows =
    principal.kind === 'user'
      ? await db
          .select({ org: organizations, role: memberships.role })
          .from(memberships)
          .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
          .where(eq(memberships.userId, principal.userId))
          .orderBy(organizations.name)
      : await db
          .select({ org: organizations, role: sql<typeof principal.role>`${principal.role}` })
          .from(organizations)
          .where(eq(organizations.id, principal.organizationId));
  return rows.map((r) => publicOrganization(r.org, r.role));
}

export async function findOrganization(db: Database, organizationId: string) {
  const [org] = await db.select().from(organizations).where(eq(organizations.id, organizationId));
  if (!org) throw new ApiError('not_found', 'Organization not found');
  return org;
}

export async function updateOrganization(db: Database, organizationId: string, changes: OrganizationChanges) {
  const [org] = await db.update(organizations).set(changes).where(eq(organizations.id, organizationId)).returning();
  return org;
}

/** Deletes the organization; everything in it goes with it (foreign keys cascade). */
export async function deleteOrganization(db: Database, organizationId: string) {
  await db.delete(organizations).where(eq(organizations.id, organizationId));
}
