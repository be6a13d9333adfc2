import { asc, eq, inArray } from 'drizzle-orm';
import { orgSecrets } from '../../../db/schema';
import { decryptSecret, encryptSecret } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import type { Services } from '../../ports';

/**
 * The organization's secrets: values flows' API calls authenticate with, referenced by name.
 * Stored encrypted with the same key as channel credentials; the API lists names only.
 */
const publicSecret = (row: typeof orgSecrets.$inferSelect) => ({ name: row.name, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() });

export async function listSecrets(services: Pick<Services, 'db'>, organizationId: string) {
  const rows = await services.db.select().from(orgSecrets).where(inOrg(orgSecrets, organizationId)).orderBy(asc(orgSecrets.name));
  return rows.map(publicSecret);
}

export async function secretNames(services: Pick<Services, 'db'>, organizationId: string): Promise<string[]> {
  const rows = await services.db.select({ name: orgSecrets.name }).from(orgSecrets).where(inOrg(orgSecrets, organizationId));
  return rows.map((r) => r.name);
}

/** Creates the secret or replaces its value. */
export async function putSecret(services: Pick<Services, 'db' | 'config'>, organizationId: string, name: string, value: string) {
  const valueEncrypted = await encryptSecret(value, services.config.ENCRYPTION_KEY);
  const [row] = await services.db
    .insert(orgSecrets)
    .values({ organizationId, name, valueEncrypted })
    .onConflictDoUpdate({ target: [orgSecrets.organizationId, orgSecrets.name], set: { valueEncrypted, updatedAt: new Date() } })
    .returning();
  return publicSecret(row!);
}

export async function deleteSecret(services: Pick<Services, 'db'>, organizationId: string, name: string) {
  const deleted = await services.db.delete(orgSecrets).where(inOrg(orgSecrets, organizationId, eq(orgSecrets.name, name))).returning({ id: orgSecrets.id });
  if (deleted.length === 0) throw new ApiError('not_found', 'Secret not found');
}

/** The plain values of the named secrets (missing names are simply absent). */
export async function readSecrets(services: Pick<Services, 'db' | 'config'>, organizationId: string, names: string[]): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  if (names.length === 0) return values;
  const rows = await services.db
    .select({ name: orgSecrets.name, value: orgSecrets.valueEncrypted })
    .from(orgSecrets)
    .where(inOrg(orgSecrets, organizationId, inArray(orgSecrets.name, [...new Set(names)])));
  for (const row of rows) values.set(row.name, await decryptSecret(row.value, services.config.ENCRYPTION_KEY));
  return values;
}
