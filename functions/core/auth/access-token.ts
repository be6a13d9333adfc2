import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { ApiError } from '../../lib/errors';
import { verifyHs256 } from '../../lib/jwt';

const encoder = new TextEncoder();
const ISSUER = 'versaai';

export interface AccessClaims {
  userId: string;
  sessionId: string;
  /** Seconds since the epoch (`iat`); 0 when absent. */
  issuedAt: number;
}

/** Short-lived HS256 access token; the refresh token (rotating, in a cookie) renews it. */
export async function signAccessToken(claims: Omit<AccessClaims, 'issuedAt'>, secret: string, ttlSeconds: number): Promise<string> {
  return new SignJWT({ sid: claims.sessionId, typ: 'access' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(encoder.encode(secret));
}

export async function verifyAccessToken(token: string, secret: string): Promise<AccessClaims> {
  try {
    // Remembered once verified; sign-out and deleted accounts are checked after this on every request.
    const payload = await verifyHs256(token, secret, ISSUER);
    if (payload.typ !== 'access' || typeof payload.sub !== 'string' || typeof payload.sid !== 'string') {
      throw new ApiError('invalid_token', 'The access token is not valid');
    }
    return { userId: payload.sub, sessionId: payload.sid, issuedAt: typeof payload.iat === 'number' ? payload.iat : 0 };
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new ApiError('token_expired', 'The access token has expired');
    throw new ApiError('invalid_token', 'The access token is not valid');
  }
}

/** Short-lived token proving the password step passed, exchanged with a TOTP code at login. */
export async function signChallengeToken(userId: string, secret: string): Promise<string> {
  return new SignJWT({ typ: '2fa_challenge' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(encoder.encode(secret));
}

export async function verifyChallengeToken(token: string, secret: string): Promise<string> {
  try {
    const { payload } = await jwtVerify(token, encoder.encode(secret), { issuer: ISSUER, algorithms: ['HS256'] });
    if (payload.typ !== '2fa_challenge' || typeof payload.sub !== 'string') throw new Error('wrong type');
    return payload.sub;
  } catch {
    throw new ApiError('invalid_token', 'The sign-in challenge is not valid or has expired; sign in again');
  }
}
