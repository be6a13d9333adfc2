import { and, eq, gt, isNull, desc, ne } from 'drizzle-orm';
import { refreshTokens } from '../../../db/schema';
import type { Database, KV } from '../../ports';
import { randomToken, sha256Hex } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';
import { signAccessToken } from './access-token';
import type { Config } from '../../lib/config';
import { revokeSessionAccess, revokeUserAccess } from './revocation';

/** What revoking needs: the refresh tokens in SQL, and the access-token revocation in KV. */
export interface SessionDeps {
  db: Database;
  kv: KV;
  config: Config;
}

export interface IssuedTokens {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: Date;
  sessionId: string;
}

interface SessionMeta {
  userAgent: string | null;
  ip: string;
}

async function insertRefreshToken(db: Database, config: Config, userId: string, familyId: string, meta: SessionMeta) {
  const token = randomToken(32);
  const expiresAt = new Date(Date.now() + config.REFRESH_TOKEN_TTL_DAYS * 86_400_000);
  await db.insert(refreshTokens).values({
    userId,
    familyId,
    tokenHash: await sha256Hex(token),
    userAgent: meta.userAgent,
    ip: meta.ip,
    expiresAt,
    lastUsedAt: new Date(),
  });
  return { token, expiresAt };
}

async function issue(db: Database, config: Config, userId: string, familyId: string, meta: SessionMeta): Promise<IssuedTokens> {
  const refresh = await insertRefreshToken(db, config, userId, familyId, meta);
  const accessToken = await signAccessToken({ userId, sessionId: familyId }, config.JWT_SECRET, config.ACCESS_TOKEN_TTL_SECONDS);
  return {
    accessToken,
    expiresIn: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshToken: refresh.token,
    refreshExpiresAt: refresh.expiresAt,
    sessionId: familyId,
  };
}

/** A new sign-in: a new token family (a "session" in the dashboard's list). */
export function startSession(db: Database, config: Config, userId: string, meta: SessionMeta) {
  return issue(db, config, userId, crypto.randomUUID(), meta);
}

/**
 * Rotates a refresh token. A token that was already rotated or revoked being presented again means
 * it leaked (or was replayed), so the whole family is revoked and the caller must sign in again.
 */
export async function rotateSession(deps: SessionDeps, presented: string, meta: SessionMeta) {
  const { db, config } = deps;
  const hash = await sha256Hex(presented);
  const [row] = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, hash)).limit(1);
  if (!row) throw new ApiError('invalid_token', 'The refresh token is not valid; sign in again');
  if (row.revokedAt || row.rotatedAt) {
    await revokeFamily(deps, row.familyId);
    throw new ApiError('invalid_token', 'This refresh token was already used; every session using it has been signed out');
  }
  if (row.expiresAt < new Date()) throw new ApiError('token_expired', 'The session has expired; sign in again');
  // Conditional update: of two concurrent refreshes with the same token only one wins.
  const claimed = await db
    .update(refreshTokens)
    .set({ rotatedAt: new Date() })
    .where(and(eq(refreshTokens.id, row.id), isNull(refreshTokens.rotatedAt)))
    .returning({ id: refreshTokens.id });
  if (claimed.length === 0) {
    await revokeFamily(deps, row.familyId);
    throw new ApiError('invalid_token', 'This refresh token was already used; every session using it has been signed out');
  }
  return { userId: row.userId, tokens: await issue(db, config, row.userId, row.familyId, meta) };
}

/** Signs one session out: its refresh tokens, and at once its access tokens. */
export async function revokeFamily(deps: SessionDeps, familyId: string) {
  await deps.db
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
  await revokeSessionAccess(deps, [familyId]);
}

/**
 * Signs every session of a user out, access tokens included (password reset), or every one but
 * the caller's own (`except`: a password change keeps the person who made it signed in).
 */
export async function revokeAllSessions(deps: SessionDeps, userId: string, options: { except?: string } = {}) {
  const revoked = await deps.db
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(refreshTokens.userId, userId),
        isNull(refreshTokens.revokedAt),
        options.except ? ne(refreshTokens.familyId, options.except) : undefined,
      ),
    )
    .returning({ familyId: refreshTokens.familyId });
  await revokeSessionAccess(deps, revoked.map((r) => r.familyId));
  // A cut-off by time would also end the session that is kept.
  if (!options.except) await revokeUserAccess(deps, userId);
}

/** Revokes the family the presented refresh token belongs to (sign out of this device). */
export async function endSessionByToken(deps: SessionDeps, presented: string) {
  const [row] = await deps.db
    .select({ familyId: refreshTokens.familyId })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, await sha256Hex(presented)))
    .limit(1);
  if (row) await revokeFamily(deps, row.familyId);
}

/** Live sessions: the current (unrotated, unrevoked, unexpired) token of each family. */
export async function listSessions(db: Database, userId: string) {
  return db
    .select({
      id: refreshTokens.familyId,
      userAgent: refreshTokens.userAgent,
      ip: refreshTokens.ip,
      lastUsedAt: refreshTokens.lastUsedAt,
      createdAt: refreshTokens.createdAt,
    })
    .from(refreshTokens)
    .where(
      and(
        eq(refreshTokens.userId, userId),
        isNull(refreshTokens.rotatedAt),
        isNull(refreshTokens.revokedAt),
        gt(refreshTokens.expiresAt, new Date()),
      ),
    )
    .orderBy(desc(refreshTokens.lastUsedAt));
}

/** Signs out one of the user's own sessions; another user's answers 404, as if it did not exist. */
export async function revokeOwnSession(deps: SessionDeps, userId: string, familyId: string) {
  const [owned] = await deps.db
    .select({ id: refreshTokens.id })
    .from(refreshTokens)
    .where(and(eq(refreshTokens.familyId, familyId), eq(refreshTokens.userId, userId)))
    .limit(1);
  if (!owned) throw new ApiError('not_found', 'Session not found');
  await revokeFamily(deps, familyId);
}
