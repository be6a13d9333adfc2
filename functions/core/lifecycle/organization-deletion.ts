import { eq, lte } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import {
  auditLog,
  bots,
  cannedResponses,
  channels,
  contacts,
  conversations,
  documents,
  flows,
  knowledgeBases,
  memberships,
  messages,
  organizationDeletions,
  organizations,
  users,
  webhooks,
} from '../../../db/schema';
import { ApiError, notFound } from '../../lib/errors';
import type { Database, Services } from '../../ports';
import { deleteOrganization } from '../orgs/manage';
import { recordAudit } from '../audit';

export type OrganizationDeletionRow = typeof organizationDeletions.$inferSelect;

export function publicDeletion(row: OrganizationDeletionRow | undefined) {
  return row
    ? { scheduled: true, purgeAfter: row.purgeAfter.toISOString(), requestedAt: row.createdAt.toISOString() }
    : { scheduled: false, purgeAfter: null, requestedAt: null };
}

export async function findDeletion(db: Database, organizationId: string) {
  const [row] = await db.select().from(organizationDeletions).where(eq(organizationDeletions.organizationId, organizationId)).limit(1);
  return row;
}

/** Schedules the purge `graceDays` from now; until then it can be cancelled and the export downloaded. */
export async function scheduleDeletion(db: Database, organizationId: string, userId: string, graceDays: number) {
  const [row] = await db
    .insert(organizationDeletions)
    .values({ organizationId, requestedBy: userId, purgeAfter: new Date(Date.now() + graceDays * 86_400_000) })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new ApiError('conflict', 'The deletion of this organization is already scheduled');
  return row;
}

export async function cancelDeletion(db: Database, organizationId: string) {
  const [row] = await db.delete(organizationDeletions).where(eq(organizationDeletions.organizationId, organizationId)).returning();
  if (!row) throw notFound('Scheduled deletion');
}

/** Columns that hold credentials or their hashes: never in an export. */
const SECRET_COLUMN = /secret|token|hash|encrypted|credential|password|apikey/i;

function withoutSecrets(row: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(row).filter(([key]) => !SECRET_COLUMN.test(key)));
}

async function rowsOf(db: Database, table: PgTable & { organizationId: PgColumn }, organizationId: string) {
  const rows = (await db.select().from(table).where(eq(table.organizationId, organizationId))) as Record<string, unknown>[];
  return rows.map(withoutSecrets);
}

/**
 * Everything the organization holds, as one JSON document (the final export offered before a
 * deletion): settings, members, bots, knowledge, flows, contacts, conversations with their
 * messages, webhooks and the audit log. Credentials (keys, secrets, hashes) are left out.
 */
export async function exportOrganization(db: Database, organizationId: string) {
  const [org] = await db.select().from(organizations).where(eq(organizations.id, organizationId));
  if (!org) throw notFound('Organization');
  const members = await db
    .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.organizationId, organizationId));
  const sections = {
    bots,
    cannedResponses,
    channels,
    knowledgeBases,
    documents,
    flows,
    contacts,
    conversations,
    messages,
    webhooks,
    auditLog,
  } as const;
  const data: Record<string, unknown> = {};
  for (const [name, table] of Object.entries(sections)) {
    data[name] = await rowsOf(db, table as PgTable & { organizationId: PgColumn }, organizationId);
  }
  return { format: 'versaai-organization-export', version: 1, exportedAt: new Date().toISOString(), organization: withoutSecrets(org), members, ...data };
}

/**
 * The nightly purge: organizations whose grace period is over are deleted with everything in them
 * (foreign keys cascade). Idempotent: a purged organization's row is gone with it.
 */
export async function purgeDueOrganizations(services: Pick<Services, 'db'>, now = new Date()) {
  const due = await services.db.select().from(organizationDeletions).where(lte(organizationDeletions.purgeAfter, now));
  for (const row of due) {
    await deleteOrganization(services.db, row.organizationId);
    // The organization's own log went with it: this entry is the deployment's record of the purge.
    await recordAudit(services.db, { userId: row.requestedBy, ip: 'job', userAgent: null }, {
      action: 'organization.purged',
      targetType: 'organization',
      targetId: row.organizationId,
      metadata: { purgeAfter: row.purgeAfter.toISOString() },
    });
  }
  return { purged: due.length };
}
