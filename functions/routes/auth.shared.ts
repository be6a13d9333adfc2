import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { recordAudit } from '../core/audit';
import { signInUser } from '../core/auth/account';
import type { IssuedTokens } from '../core/auth/sessions';
import { findUserById, normalizeEmail, publicUser, type UserRow } from '../core/auth/users';
import { ApiError } from '../lib/errors';
import type { AppEnv } from '../lib/env';
import { enforceRateLimit } from '../lib/rate-limit';
import { auditActor, clientIp, userAgent } from '../lib/request';
import { requireUser } from '../middleware/auth';

/** What the /auth route files share: the refresh cookie, the sign-in answer and the guessing limits. */
export const REFRESH_COOKIE = 'versaai_rt';
export const REFRESH_COOKIE_PATH = '/api/v1/auth';

/** Per-IP and per-account limits on password guessing; answers 429 with Retry-After. */
export async function limitLoginAttempts(c: Context<AppEnv>, email: string) {
  const { kv, config } = c.get('services');
  const message = 'Too many sign-in attempts; try again later';
  await enforceRateLimit(kv, `login:ip:${clientIp(c)}`, config.AUTH_ATTEMPTS_PER_IP, 600, message);
  await enforceRateLimit(kv, `login:account:${normalizeEmail(email)}`, 10, 900, message);
}

/** The dashboard gets the refresh token as an httpOnly cookie; API clients get it in the body. */
export function deliverTokens(c: Context<AppEnv>, user: UserRow, tokens: IssuedTokens, delivery: 'cookie' | 'body') {
  if (delivery === 'cookie') {
    setCookie(c, REFRESH_COOKIE, tokens.refreshToken, {
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      path: REFRESH_COOKIE_PATH,
      expires: tokens.refreshExpiresAt,
    });
  }
  return {
    user: publicUser(user),
    accessToken: tokens.accessToken,
    expiresIn: tokens.expiresIn,
    ...(delivery === 'body' ? { refreshToken: tokens.refreshToken } : {}),
  };
}

/** Starts a session for a user whose credentials were checked, audits it, and answers with the tokens. */
export async function signIn(c: Context<AppEnv>, user: UserRow, delivery: 'cookie' | 'body') {
  const services = c.get('services');
  const tokens = await signInUser(services, user, { userAgent: userAgent(c), ip: clientIp(c) });
  await recordAudit(services.db, auditActor(c, user.id), { action: 'auth.login', targetType: 'user', targetId: user.id });
  return deliverTokens(c, user, tokens, delivery);
}

/** The signed-in person's account (API keys are refused: these routes need a person). */
export async function currentUser(c: Context<AppEnv>): Promise<UserRow> {
  const principal = requireUser(c);
  const user = await findUserById(c.get('services').db, principal.userId);
  if (!user) throw new ApiError('invalid_token', 'The account behind this token no longer exists');
  return user;
}
