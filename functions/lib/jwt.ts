import { jwtVerify, type JWTPayload } from 'jose';

const encoder = new TextEncoder();

interface Verified {
  secret: string;
  issuer: string;
  payload: Readonly<JWTPayload>;
}

/**
 * HS256 tokens this isolate verified lately, by their text. A widget visitor presents the same
 * token on every message (twice per chat request: the rate-limit middleware and the handler), and
 * each verification is a Web Crypto key import and HMAC, in Node two thread-pool hand-offs: ~1.5 ms
 * of the server's main thread per widget message (CPU profile of bench:flows). A token's signature
 * and claims never change, so what is remembered is exactly what `jwtVerify` would find again; the
 * time-bound claims (`exp`, `nbf`) are checked on every use, and a token past them goes through
 * `jwtVerify` again, which refuses it with its own error. Revocation is not a property of the
 * token: callers that honour it (access tokens' sign-out) check it after this, on every request.
 */
const verified = new Map<string, Verified>();
/** Oldest first (a Map keeps insertion order): past the bound the oldest entry goes. */
export const VERIFIED_TOKENS_BOUND = 2048;

function stillValid(payload: JWTPayload): boolean {
  // jose's own comparisons (lib/jwt_claims_set.js), with no clock tolerance.
  const now = Math.floor(Date.now() / 1000);
  return (payload.exp === undefined || payload.exp > now) && (payload.nbf === undefined || payload.nbf <= now);
}

/**
 * `jwtVerify(token, secret, { issuer, algorithms: ['HS256'] })`'s payload, remembered for the next
 * time the same token comes with the same secret and issuer. Throws jose's errors as it does.
 * Only tokens that verified are remembered, so made-up tokens cannot push real ones out.
 */
export async function verifyHs256(token: string, secret: string, issuer: string): Promise<Readonly<JWTPayload>> {
  const known = verified.get(token);
  if (known) {
    if (known.secret === secret && known.issuer === issuer && stillValid(known.payload)) return known.payload;
    verified.delete(token);
  }
  const { payload } = await jwtVerify(token, encoder.encode(secret), { issuer, algorithms: ['HS256'] });
  if (verified.size >= VERIFIED_TOKENS_BOUND) verified.delete(verified.keys().next().value!);
  verified.set(token, { secret, issuer, payload: Object.freeze(payload) });
  return payload;
}
