import type { Config } from '../../lib/config';
import { ApiError } from '../../lib/errors';
import type { KV } from '../../ports';
import type { AccessClaims } from './access-token';

/**
 * Access tokens are stateless JWTs, so signing out alone would leave them working until they
 * expire. Revocation is written to KV instead, for as long as a token can live:
 * - `revoked:session:<sid>`: every access token of that session (token family) is dead; written
 *   on logout, when a session is revoked from the list, on refresh-token reuse, and for each
 *   session a password reset or change signs out;
 * - `tokens-not-before:<userId>`: access tokens issued before that second are dead, which also
 *   covers sessions the reset could not list.
 * The auth middleware reads both keys in one KV call per request (no cache in the isolate).
 */
const sessionKey = (sessionId: string) => `revoked:session:${sessionId}`;
const notBeforeKey = (userId: string) => `tokens-not-before:${userId}`;

type Deps = { kv: KV; config: Pick<Config, 'ACCESS_TOKEN_TTL_SECONDS'> };

export async function revokeSessionAccess({ kv, config }: Deps, sessionIds: Iterable<string>) {
  await Promise.all([...new Set(sessionIds)].map((sid) => kv.set(sessionKey(sid), 1, { ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS })));
}

export async function revokeUserAccess({ kv, config }: Deps, userId: string, at = Date.now()) {
  // Whole seconds, like `iat`: a token issued earlier in this very second is caught by its session key.
  await kv.set(notBeforeKey(userId), Math.floor(at / 1000), { ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS });
}

/** Throws 401 when the token's session was revoked or the user's tokens were cut off after it was issued. */
export async function assertAccessNotRevoked(kv: KV, claims: AccessClaims) {
  const [revoked, notBefore] = await kv.getMany([sessionKey(claims.sessionId), notBeforeKey(claims.userId)]);
  if (revoked !== null) throw new ApiError('invalid_token', 'This session has been signed out; sign in again');
  if (typeof notBefore === 'number' && claims.issuedAt < notBefore) {
    throw new ApiError('invalid_token', 'This token was issued before the account\u2019s sessions were signed out; sign in again');
  }
}
