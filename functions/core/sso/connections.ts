import { eq } from 'drizzle-orm';
import { ssoConnections } from '../../../db/schema';
import type { Role } from '../../../db/schema';
import { decryptSecret, encryptSecret } from '../../lib/crypto';
import { ApiError, notFound } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import type { Database } from '../../ports';

export type SsoConnectionRow = typeof ssoConnections.$inferSelect;
export type SsoPreset = 'google' | 'microsoft' | 'custom';

/** Issuers the dashboard prefills; Microsoft's names the directory (tenant) the app is registered in. */
export const SSO_PRESETS = {
  google: { issuer: 'https://accounts.google.com' },
  microsoft: { issuer: 'https://login.microsoftonline.com/{tenant}/v2.0' },
} as const;

export interface SsoConnectionInput {
  preset: SsoPreset;
  issuer: string;
  clientId: string;
  /** Omitted on an update: the stored secret is kept. */
  clientSecret?: string;
  defaultRole: Exclude<Role, 'owner'>;
  ssoRequired: boolean;
  enabled: boolean;
}

/** The connection as the API shows it: never the secret, only whether one is stored. */
export function publicConnection(row: SsoConnectionRow) {
  return {
    id: row.id,
    preset: row.preset as SsoPreset,
    issuer: row.issuer,
    clientId: row.clientId,
    hasClientSecret: row.clientSecretEncrypted.length > 0,
    defaultRole: row.defaultRole as Exclude<Role, 'owner'>,
    ssoRequired: row.ssoRequired,
    enabled: row.enabled,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function normalizeIssuer(issuer: string): string {
  return issuer.trim().replace(/\/+$/, '');
}

export async function findConnection(db: Database, organizationId: string): Promise<SsoConnectionRow | undefined> {
  const [row] = await db.select().from(ssoConnections).where(inOrg(ssoConnections, organizationId)).limit(1);
  return row;
}

export async function requireConnection(db: Database, organizationId: string): Promise<SsoConnectionRow> {
  const row = await findConnection(db, organizationId);
  if (!row) throw notFound('Single sign-on configuration');
  return row;
}

export async function saveConnection(db: Database, encryptionKey: string, organizationId: string, input: SsoConnectionInput) {
  if (input.issuer.includes('{tenant}')) {
    throw new ApiError('validation_failed', 'Replace {tenant} in the issuer with your Microsoft Entra tenant id');
  }
  const existing = await findConnection(db, organizationId);
  if (!existing && !input.clientSecret) throw new ApiError('validation_failed', 'The client secret is required');
  const values = {
    preset: input.preset,
    issuer: normalizeIssuer(input.issuer),
    clientId: input.clientId,
    defaultRole: input.defaultRole,
    ssoRequired: input.ssoRequired,
    enabled: input.enabled,
    ...(input.clientSecret ? { clientSecretEncrypted: await encryptSecret(input.clientSecret, encryptionKey) } : {}),
  };
  if (existing) {
    const [row] = await db.update(ssoConnections).set(values).where(eq(ssoConnections.id, existing.id)).returning();
    return row;
  }
  const [row] = await db
    .insert(ssoConnections)
    .values({ ...values, organizationId, clientSecretEncrypted: values.clientSecretEncrypted! })
    .returning();
  return row;
}

export async function deleteConnection(db: Database, organizationId: string) {
  const deleted = await db.delete(ssoConnections).where(inOrg(ssoConnections, organizationId)).returning({ id: ssoConnections.id });
  if (deleted.length === 0) throw notFound('Single sign-on configuration');
}

export function clientSecretOf(row: SsoConnectionRow, encryptionKey: string): Promise<string> {
  return decryptSecret(row.clientSecretEncrypted, encryptionKey);
}
