import { desc, eq, isNull } from 'drizzle-orm';
import { apiKeys, type ApiKeyScope, type Role } from '../../../db/schema';
import { randomToken, sha256Hex } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import type { Database } from '../../ports';

/** What the API shows of a key: never the key nor its hash, only the prefix that names it. */
function publicKey(row: typeof apiKeys.$inferSelect) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    scopes: row.scopes,
    rateLimitPerMinute: row.rateLimitPerMinute,
    requestCount: row.requestCount,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
  };
}

export async function listApiKeys(db: Database, organizationId: string) {
  const rows = await db
    .select()
    .from(apiKeys)
    .where(inOrg(apiKeys, organizationId, isNull(apiKeys.revokedAt)))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map(publicKey);
}

/**
 * A new key acting as the organization with `role`; only its hash is stored, so the key itself is
 * returned once. `keyPrefix` marks a bearer token as an API key (middleware/auth.ts reads it).
 */
export async function createApiKey(
  db: Database,
  organizationId: string,
  createdBy: string | null,
  input: { name: string; role: Role; expiresInDays?: number; scopes: ApiKeyScope[]; rateLimitPerMinute?: number | null },
  keyPrefix: string,
) {
  const key = `${keyPrefix}${randomToken(32)}`;
  const [row] = await db
    .insert(apiKeys)
    .values({
      organizationId,
      name: input.name,
      role: input.role,
      scopes: input.scopes,
      rateLimitPerMinute: input.rateLimitPerMinute ?? null,
      prefix: key.slice(0, 10),
      keyHash: await sha256Hex(key),
      createdBy,
      expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
    })
    .returning();
  return { apiKey: publicKey(row), key };
}

export async function revokeApiKey(db: Database, organizationId: string, keyId: string) {
  const revoked = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(inOrg(apiKeys, organizationId, eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  if (revoked.length === 0) throw new ApiError('not_found', 'API key not found');
}

export interface ApiKeyChanges {
  name?: string;
  scopes?: ApiKeyScope[];
  /** null removes the key's own limit. */
  rateLimitPerMinute?: number | null;
}

/** Renames a key or changes what it may do and how fast; the secret stays the same. */
export async function updateApiKey(db: Database, organizationId: string, keyId: string, changes: ApiKeyChanges) {
  const [row] = await db
    .update(apiKeys)
    .set(changes)
    .where(inOrg(apiKeys, organizationId, eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
    .returning();
  if (!row) throw new ApiError('not_found', 'API key not found');
  return publicKey(row);
}
