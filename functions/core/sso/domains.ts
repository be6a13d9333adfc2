import { and, eq, isNotNull, ne } from 'drizzle-orm';
import { ssoDomains } from '../../../db/schema';
import { randomToken } from '../../lib/crypto';
import { ApiError, notFound } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import type { Database } from '../../ports';
import type { UserRow } from '../auth/users';
import { lookupTxtRecords } from './dns';

export type SsoDomainRow = typeof ssoDomains.$inferSelect;

export const VERIFICATION_PREFIX = 'versaai-verification=';

export function normalizeDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, '');
}

export function emailDomain(email: string): string {
  return normalizeDomain(email.slice(email.lastIndexOf('@') + 1));
}

export function publicDomain(row: SsoDomainRow) {
  return {
    id: row.id,
    domain: row.domain,
    verified: row.verifiedAt !== null,
    verifiedAt: row.verifiedAt?.toISOString() ?? null,
    verificationMethod: row.verificationMethod as 'dns' | 'admin_email' | null,
    txtRecord: { name: row.domain, value: `${VERIFICATION_PREFIX}${row.verificationToken}` },
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listDomains(db: Database, organizationId: string) {
  return db.select().from(ssoDomains).where(inOrg(ssoDomains, organizationId)).orderBy(ssoDomains.domain);
}

/** The organization that verified this domain, if any. */
export async function verifiedDomainOwner(db: Database, domain: string): Promise<SsoDomainRow | undefined> {
  const [row] = await db
    .select()
    .from(ssoDomains)
    .where(and(eq(ssoDomains.domain, normalizeDomain(domain)), isNotNull(ssoDomains.verifiedAt)))
    .limit(1);
  return row;
}

function claimedElsewhere(domain: string) {
  return new ApiError('conflict', `${domain} is already claimed by another organization`);
}

export async function addDomain(db: Database, organizationId: string, domain: string): Promise<SsoDomainRow> {
  const normalized = normalizeDomain(domain);
  const owner = await verifiedDomainOwner(db, normalized);
  if (owner && owner.organizationId !== organizationId) throw claimedElsewhere(normalized);
  const [row] = await db
    .insert(ssoDomains)
    .values({ organizationId, domain: normalized, verificationToken: randomToken(24) })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new ApiError('conflict', `${normalized} is already on this organization's list`);
  return row;
}

async function findDomain(db: Database, organizationId: string, domainId: string): Promise<SsoDomainRow> {
  const [row] = await db.select().from(ssoDomains).where(inOrg(ssoDomains, organizationId, eq(ssoDomains.id, domainId))).limit(1);
  if (!row) throw notFound('Domain');
  return row;
}

export async function removeDomain(db: Database, organizationId: string, domainId: string): Promise<SsoDomainRow> {
  const row = await findDomain(db, organizationId, domainId);
  await db.delete(ssoDomains).where(eq(ssoDomains.id, row.id));
  return row;
}

async function markVerified(db: Database, row: SsoDomainRow, method: 'dns' | 'admin_email', userId: string): Promise<SsoDomainRow> {
  const owner = await verifiedDomainOwner(db, row.domain);
  if (owner && owner.organizationId !== row.organizationId) throw claimedElsewhere(row.domain);
  try {
    const [updated] = await db
      .update(ssoDomains)
      .set({ verifiedAt: row.verifiedAt ?? new Date(), verificationMethod: method, verifiedBy: userId })
      .where(eq(ssoDomains.id, row.id))
      .returning();
    // Claims of the same domain by other organizations can never be verified now.
    await db.delete(ssoDomains).where(and(eq(ssoDomains.domain, row.domain), ne(ssoDomains.organizationId, row.organizationId)));
    return updated;
  } catch {
    // Two organizations verifying at once: the unique index on verified domains lets one through.
    throw claimedElsewhere(row.domain);
  }
}

/** Verifies the domain by its TXT record `versaai-verification=<token>`, read through DNS-over-HTTPS. */
export async function verifyDomainByDns(db: Database, resolverUrl: string, organizationId: string, domainId: string, userId: string) {
  const row = await findDomain(db, organizationId, domainId);
  let records: string[];
  try {
    records = await lookupTxtRecords(resolverUrl, row.domain);
  } catch (error) {
    throw new ApiError('service_unavailable', `The DNS lookup failed: ${error instanceof Error ? error.message : 'unknown error'}`);
  }
  const expected = `${VERIFICATION_PREFIX}${row.verificationToken}`;
  if (!records.some((record) => record.trim() === expected)) {
    throw new ApiError('bad_request', `No TXT record "${expected}" was found on ${row.domain} (DNS changes can take a while to show)`, {
      details: { reason: 'txt_record_missing', expected },
    });
  }
  return markVerified(db, row, 'dns', userId);
}

/** An admin whose own verified email is on the domain vouches for it. */
export async function verifyDomainByAdminEmail(db: Database, organizationId: string, domainId: string, admin: UserRow) {
  const row = await findDomain(db, organizationId, domainId);
  if (!admin.emailVerifiedAt || emailDomain(admin.email) !== row.domain) {
    throw new ApiError('forbidden', `Only an admin whose verified email is on ${row.domain} can confirm it; publish the TXT record instead`);
  }
  return markVerified(db, row, 'admin_email', admin.id);
}
