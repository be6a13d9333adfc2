import { and, eq, gt, isNull } from 'drizzle-orm';
import { authTokens } from '../../../db/schema';
import type { Database } from '../../ports';
import { randomToken, sha256Hex } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';

type Purpose = (typeof authTokens.$inferSelect)['purpose'];

const TTL_MS: Record<Purpose, number> = {
  verify_email: 48 * 3_600_000,
  reset_password: 3_600_000,
};

/** Creates a single-use token for a mailed link; only its hash is stored. */
export async function createOneTimeToken(db: Database, userId: string, purpose: Purpose): Promise<string> {
  const token = randomToken(32);
  await db.insert(authTokens).values({
    userId,
    purpose,
    tokenHash: await sha256Hex(token),
    expiresAt: new Date(Date.now() + TTL_MS[purpose]),
  });
  return token;
}

/** Marks the token used and returns its user; a used, expired or unknown token is a 400. */
export async function consumeOneTimeToken(db: Database, token: string, purpose: Purpose): Promise<string> {
  const [row] = await db
    .update(authTokens)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(authTokens.tokenHash, await sha256Hex(token)),
        eq(authTokens.purpose, purpose),
        isNull(authTokens.usedAt),
        gt(authTokens.expiresAt, new Date()),
      ),
    )
    .returning({ userId: authTokens.userId });
  if (!row) throw new ApiError('bad_request', 'This link is not valid, was already used, or has expired');
  return row.userId;
}

/** Whose unused, unexpired token this is, without using it up (null when none). */
export async function tokenOwner(db: Database, token: string, purpose: Purpose): Promise<string | null> {
  const [row] = await db
    .select({ userId: authTokens.userId })
    .from(authTokens)
    .where(
      and(
        eq(authTokens.tokenHash, await sha256Hex(token)),
        eq(authTokens.purpose, purpose),
        isNull(authTokens.usedAt),
        gt(authTokens.expiresAt, new Date()),
      ),
    )
    .limit(1);
  return row?.userId ?? null;
}
