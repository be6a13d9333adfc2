import { and, desc, eq, isNull } from 'drizzle-orm';
import { apiKeys, type ApiKeyScope, type Role } from '../../../db/schema';
import { randomToken, sha256Hex } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import type { Database, KV } from '../../ports';
import { pendingApiKeyUsage, type PendingUsage } from './api-key-usage';

/**
 * What authenticating a request needs of a key, cached in KV by the key's hash: every request of
 * an API client presents its key, and a KV read is cheaper than a SQL one on both runtimes.
 * Revoking or changing a key forgets the entry at once; the TTL only bounds what a key deleted
 * with its organization could still reach (nothing: its rows go with it).
 */
export interface ApiKeyGrant {
  id: string;
  organizationId: string;
  role: Role;
  scopes: ApiKeyScope[];
  rateLimitPerMinute: number | null;
  /** ISO time, or null for a key that does not expire. */
  expiresAt: string | null;
}

const GRANT_TTL_SECONDS = 60;
const grantKey = (keyHash: string) => `api-key-grant:${keyHash}`;

/**
 * The hashes of the keys this process saw last. Web Crypto's digest is asynchronous: in Node it
 * is a thread-pool job, and on a busy machine its hand-off cost as much main-thread time as
 * anything else of an API turn outside SQL (CPU profile of bench:api). A client presents the same
 * key on every request. Only the hash is derived here: the grant (revocation included) is still
 * read by it on every request.
 */
const recentKeyHashes = new Map<string, string>();
const RECENT_KEY_HASHES = 256;

async function keyHashOf(key: string): Promise<string> {
  return recentKeyHashes.get(key) ?? (await sha256Hex(key));
}

/** Only keys that named a grant are remembered: a spray of made-up keys cannot push real ones out. */
function rememberKeyHash(key: string, keyHash: string) {
  if (recentKeyHashes.has(key)) return;
  // Wholesale rather than LRU: a process that sees more keys than this only hashes again.
  if (recentKeyHashes.size >= RECENT_KEY_HASHES) recentKeyHashes.clear();
  recentKeyHashes.set(key, keyHash);
}

/** The live (not revoked, not expired) key behind `key`, or null. */
export async function findApiKeyGrant(services: { db: Database; kv: KV }, key: string): Promise<ApiKeyGrant | null> {
  const keyHash = await keyHashOf(key);
  const grant = (await services.kv.get<ApiKeyGrant>(grantKey(keyHash))) ?? (await loadGrant(services, keyHash));
  if (!grant || (grant.expiresAt && new Date(grant.expiresAt) < new Date())) return null;
  rememberKeyHash(key, keyHash);
  return grant;
}

async function loadGrant(services: { db: Database; kv: KV }, keyHash: string): Promise<ApiKeyGrant | null> {
  const [row] = await services.db
    .select({
      id: apiKeys.id,
      organizationId: apiKeys.organizationId,
      role: apiKeys.role,
      scopes: apiKeys.scopes,
      rateLimitPerMinute: apiKeys.rateLimitPerMinute,
      expiresAt: apiKeys.expiresAt,
    })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!row) return null;
  const grant: ApiKeyGrant = { ...row, expiresAt: row.expiresAt?.toISOString() ?? null };
  await services.kv.set(grantKey(keyHash), grant, { ttlSeconds: GRANT_TTL_SECONDS });
  return grant;
}

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

/** The organization's live keys, with the uses counted in KV since the last flush added in. */
export async function listApiKeys(services: { db: Database; kv: KV }, organizationId: string) {
  const rows = await services.db
    .select()
    .from(apiKeys)
    .where(inOrg(apiKeys, organizationId, isNull(apiKeys.revokedAt)))
    .orderBy(desc(apiKeys.createdAt));
  const pending = await pendingApiKeyUsage(services.kv, rows.map((row) => row.id));
  return rows.map((row) => publicKey(withPendingUsage(row, pending.get(row.id))));
}

function withPendingUsage(row: typeof apiKeys.$inferSelect, pending: PendingUsage | undefined): typeof apiKeys.$inferSelect {
  if (!pending) return row;
  const lastUsedAt = pending.lastUsedAt && (!row.lastUsedAt || pending.lastUsedAt > row.lastUsedAt) ? pending.lastUsedAt : row.lastUsedAt;
  return { ...row, requestCount: row.requestCount + pending.requests, lastUsedAt };
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

export async function revokeApiKey(services: { db: Database; kv: KV }, organizationId: string, keyId: string) {
  const [revoked] = await services.db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(inOrg(apiKeys, organizationId, eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
    .returning({ keyHash: apiKeys.keyHash });
  if (!revoked) throw new ApiError('not_found', 'API key not found');
  await services.kv.del(grantKey(revoked.keyHash));
}

export interface ApiKeyChanges {
  name?: string;
  scopes?: ApiKeyScope[];
  /** null removes the key's own limit. */
  rateLimitPerMinute?: number | null;
}

/** Renames a key or changes what it may do and how fast; the secret stays the same. */
export async function updateApiKey(services: { db: Database; kv: KV }, organizationId: string, keyId: string, changes: ApiKeyChanges) {
  const [row] = await services.db
    .update(apiKeys)
    .set(changes)
    .where(inOrg(apiKeys, organizationId, eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
    .returning();
  if (!row) throw new ApiError('not_found', 'API key not found');
  // New scopes or limits apply from the next request.
  await services.kv.del(grantKey(row.keyHash));
  const pending = await pendingApiKeyUsage(services.kv, [row.id]);
  return publicKey(withPendingUsage(row, pending.get(row.id)));
}
