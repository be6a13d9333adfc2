import { createRoute, z } from '@hono/zod-openapi';
import { deleteCookie, getCookie } from 'hono/cookie';
import { recordAudit } from '../core/audit';
import { signChallengeToken, verifyChallengeToken } from '../core/auth/access-token';
import { endSessionByToken, rotateSession } from '../core/auth/sessions';
import { checkSecondFactor } from '../core/auth/two-factor-settings';
import { findUserByEmail, findUserById } from '../core/auth/users';
import { refuseWhenSsoRequired } from '../core/sso/sign-in';
import { DUMMY_PASSWORD_HASH, verifyPassword } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import { createRouter, errorResponse, jsonBody, jsonContent, publicErrors } from '../lib/openapi';
import { enforceRateLimit } from '../lib/rate-limit';
import { auditActor, clientIp, userAgent } from '../lib/request';
import {
  AccessTokenSchema,
  LoginBodySchema,
  LoginTwoFactorBodySchema,
  RefreshBodySchema,
  SessionTokensSchema,
  TwoFactorChallengeSchema,
} from './auth.schemas';
import { REFRESH_COOKIE, REFRESH_COOKIE_PATH, deliverTokens, limitLoginAttempts, signIn } from './auth.shared';

/** /api/v1/auth/login, /login/2fa, /refresh, /logout: signing in and out. */
export const authLoginRouter = createRouter();
const tags = ['Auth'];

authLoginRouter.openapi(
  createRoute({
    method: 'post',
    path: '/login',
    tags,
    summary: 'Sign in with email and password',
    description: 'When two-factor authentication is on, answers with a challenge to complete at `/auth/login/2fa`.',
    request: { body: jsonBody(LoginBodySchema) },
    responses: {
      200: jsonContent(z.union([SessionTokensSchema, TwoFactorChallengeSchema]), 'Signed in, or a 2FA challenge'),
      401: errorResponse('Wrong email or password'),
      403: errorResponse('The email\u2019s organization requires single sign-on (`sso_required`)'),
      ...publicErrors,
    },
  }),
  async (c) => {
    const body = c.req.valid('json');
    const { db, config } = c.get('services');
    await limitLoginAttempts(c, body.email);
    await refuseWhenSsoRequired(db, body.email);
    const user = await findUserByEmail(db, body.email);
    // Hash even for unknown emails so response time does not reveal which accounts exist.
    const valid = await verifyPassword(body.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !valid) {
      if (user) await recordAudit(db, auditActor(c, user.id), { action: 'auth.login_failed', targetType: 'user', targetId: user.id });
      throw new ApiError('invalid_credentials', 'The email or password is not correct');
    }
    if (user.twoFactorEnabledAt) {
      return c.json({ twoFactorRequired: true as const, challengeToken: await signChallengeToken(user.id, config.JWT_SECRET) }, 200);
    }
    return c.json(await signIn(c, user, body.tokenDelivery), 200);
  },
);

authLoginRouter.openapi(
  createRoute({
    method: 'post',
    path: '/login/2fa',
    tags,
    summary: 'Complete a sign-in with a TOTP or backup code',
    request: { body: jsonBody(LoginTwoFactorBodySchema) },
    responses: {
      200: jsonContent(SessionTokensSchema, 'Signed in'),
      401: errorResponse('Wrong code or expired challenge'),
      ...publicErrors,
    },
  }),
  async (c) => {
    const body = c.req.valid('json');
    const services = c.get('services');
    const userId = await verifyChallengeToken(body.challengeToken, services.config.JWT_SECRET);
    await enforceRateLimit(services.kv, `login:2fa:${userId}`, 10, 900, 'Too many codes tried; sign in again later');
    const user = await findUserById(services.db, userId);
    if (!user || !user.twoFactorEnabledAt) throw new ApiError('invalid_token', 'The sign-in challenge is not valid; sign in again');
    if (!(await checkSecondFactor(services, user, body.code))) {
      throw new ApiError('invalid_two_factor_code', 'The code is not correct');
    }
    return c.json(await signIn(c, user, body.tokenDelivery), 200);
  },
);

authLoginRouter.openapi(
  createRoute({
    method: 'post',
    path: '/refresh',
    tags,
    summary: 'Rotate the refresh token and get a new access token',
    description: 'Reads the refresh token from the httpOnly cookie, or from the body for API clients. Reusing a rotated token signs out that whole session.',
    request: { body: { required: false, content: { 'application/json': { schema: RefreshBodySchema } } } },
    responses: {
      200: jsonContent(AccessTokenSchema, 'New tokens'),
      401: errorResponse('Missing, reused or expired refresh token'),
      ...publicErrors,
    },
  }),
  async (c) => {
    const body = c.req.valid('json') ?? {};
    const fromBody = typeof body.refreshToken === 'string' ? body.refreshToken : undefined;
    const presented = fromBody ?? getCookie(c, REFRESH_COOKIE);
    if (!presented) throw new ApiError('unauthorized', 'No refresh token: sign in first');
    const services = c.get('services');
    try {
      const { userId, tokens } = await rotateSession(services, presented, { userAgent: userAgent(c), ip: clientIp(c) });
      const user = await findUserById(services.db, userId);
      if (!user) throw new ApiError('invalid_token', 'The account no longer exists');
      const delivered = deliverTokens(c, user, tokens, fromBody ? 'body' : 'cookie');
      return c.json({ accessToken: delivered.accessToken, expiresIn: delivered.expiresIn, refreshToken: delivered.refreshToken }, 200);
    } catch (error) {
      if (!fromBody) deleteCookie(c, REFRESH_COOKIE, { path: REFRESH_COOKIE_PATH, secure: true });
      throw error;
    }
  },
);

authLoginRouter.openapi(
  createRoute({
    method: 'post',
    path: '/logout',
    tags,
    summary: 'Sign out this session',
    request: { body: { required: false, content: { 'application/json': { schema: RefreshBodySchema } } } },
    responses: { 204: { description: 'Signed out' }, ...publicErrors },
  }),
  async (c) => {
    const body = c.req.valid('json') ?? {};
    const presented = (typeof body.refreshToken === 'string' ? body.refreshToken : undefined) ?? getCookie(c, REFRESH_COOKIE);
    if (presented) await endSessionByToken(c.get('services'), presented);
    deleteCookie(c, REFRESH_COOKIE, { path: REFRESH_COOKIE_PATH, secure: true });
    return c.body(null, 204);
  },
);
