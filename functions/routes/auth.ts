import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { and, eq } from 'drizzle-orm';
import { refreshTokens, users } from '../../db/schema';
import { verifyChallengeToken, signChallengeToken } from '../core/auth/access-token';
import { renderMail } from '../core/auth/mail-templates';
import { consumeOneTimeToken, createOneTimeToken } from '../core/auth/one-time-tokens';
import {
  endSessionByToken,
  listSessions,
  revokeAllSessions,
  revokeFamily,
  rotateSession,
  startSession,
  type IssuedTokens,
} from '../core/auth/sessions';
import {
  consumeBackupCode,
  deleteBackupCodes,
  newTotpSecret,
  otpauthUrl,
  regenerateBackupCodes,
  remainingBackupCodes,
  verifyTotp,
} from '../core/auth/two-factor';
import { findUserByEmail, findUserById, normalizeEmail, publicUser, type UserRow } from '../core/auth/users';
import { recordAudit } from '../core/audit';
import { enqueueMail } from '../core/jobs/registry';
import { DUMMY_PASSWORD_HASH, decryptSecret, encryptSecret, hashPassword, verifyPassword } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import { enforceRateLimit } from '../lib/rate-limit';
import type { AppEnv } from '../lib/env';
import { bearerSecurity, createRouter, jsonBody, errorResponse, jsonContent, protectedErrors, publicErrors } from '../lib/openapi';
import { auditActor, clientIp, userAgent } from '../lib/request';
import { authenticate, requireUser } from '../middleware/auth';
import {
  CodeSchema,
  EmailSchema,
  LoginBodySchema,
  LoginTwoFactorBodySchema,
  PasswordSchema,
  RefreshBodySchema,
  RegisterBodySchema,
  SessionTokensSchema,
  TwoFactorChallengeSchema,
} from './auth.schemas';

export const REFRESH_COOKIE = 'versaai_rt';
const REFRESH_COOKIE_PATH = '/api/v1/auth';

export const authRouter = createRouter();
const tags = ['Auth'];

// ---- helpers -------------------------------------------------------------------------------

/** Per-IP and per-account limits on password guessing; answers 429 with Retry-After. */
async function limitLoginAttempts(c: Context<AppEnv>, email: string) {
  const { kv, config } = c.get('services');
  const message = 'Too many sign-in attempts; try again later';
  await enforceRateLimit(kv, `login:ip:${clientIp(c)}`, config.AUTH_ATTEMPTS_PER_IP, 600, message);
  await enforceRateLimit(kv, `login:account:${normalizeEmail(email)}`, 10, 900, message);
}

function deliverTokens(c: Context<AppEnv>, user: UserRow, tokens: IssuedTokens, delivery: 'cookie' | 'body') {
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

async function signIn(c: Context<AppEnv>, user: UserRow, delivery: 'cookie' | 'body') {
  const { db, config } = c.get('services');
  const tokens = await startSession(db, config, user.id, { userAgent: userAgent(c), ip: clientIp(c) });
  await db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, user.id));
  await recordAudit(c.get('services').db, auditActor(c, user.id), { action: 'auth.login', targetType: 'user', targetId: user.id });
  return deliverTokens(c, user, tokens, delivery);
}

async function sendVerificationMail(c: Context<AppEnv>, user: UserRow) {
  const { db, config } = c.get('services');
  const token = await createOneTimeToken(db, user.id, 'verify_email');
  const link = `${config.APP_URL}/verify-email?token=${encodeURIComponent(token)}`;
  await enqueueMail(c.get('services'), renderMail('verify', user.locale, user.email, { name: user.name, link }));
}

async function currentUser(c: Context<AppEnv>): Promise<UserRow> {
  const principal = requireUser(c);
  const user = await findUserById(c.get('services').db, principal.userId);
  if (!user) throw new ApiError('invalid_token', 'The account behind this token no longer exists');
  return user;
}

async function checkSecondFactor(c: Context<AppEnv>, user: UserRow, code: string): Promise<boolean> {
  const { kv, db, config } = c.get('services');
  if (!user.twoFactorSecret) return false;
  const secret = await decryptSecret(user.twoFactorSecret, config.ENCRYPTION_KEY);
  if (/^\d{6}$/.test(code.trim())) return verifyTotp(kv, user.id, secret, code);
  return consumeBackupCode(db, user.id, code);
}

// ---- register / login / refresh / logout -----------------------------------------------

authRouter.openapi(
  createRoute({
    method: 'post',
    path: '/register',
    tags,
    summary: 'Create an account',
    description: 'Creates the user, signs them in, and mails an email-verification link.',
    request: { body: jsonBody(RegisterBodySchema) },
    responses: {
      201: jsonContent(SessionTokensSchema, 'Account created and signed in'),
      409: errorResponse('An account with this email already exists'),
      ...publicErrors,
    },
  }),
  async (c) => {
    const body = c.req.valid('json');
    const { db } = c.get('services');
    await limitLoginAttempts(c, body.email);
    if (await findUserByEmail(db, body.email)) {
      throw new ApiError('conflict', 'An account with this email already exists');
    }
    const [user] = await db
      .insert(users)
      .values({
        email: normalizeEmail(body.email),
        name: body.name,
        passwordHash: await hashPassword(body.password),
        locale: body.locale ?? 'es',
      })
      .onConflictDoNothing()
      .returning();
    if (!user) throw new ApiError('conflict', 'An account with this email already exists');
    await recordAudit(c.get('services').db, auditActor(c, user.id), { action: 'auth.register', targetType: 'user', targetId: user.id });
    await sendVerificationMail(c, user);
    return c.json(await signIn(c, user, body.tokenDelivery), 201);
  },
);

authRouter.openapi(
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
      ...publicErrors,
    },
  }),
  async (c) => {
    const body = c.req.valid('json');
    const { db, config } = c.get('services');
    await limitLoginAttempts(c, body.email);
    const user = await findUserByEmail(db, body.email);
    // Hash even for unknown emails so response time does not reveal which accounts exist.
    const valid = await verifyPassword(body.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !valid) {
      if (user) await recordAudit(c.get('services').db, auditActor(c, user.id), { action: 'auth.login_failed', targetType: 'user', targetId: user.id });
      throw new ApiError('invalid_credentials', 'The email or password is not correct');
    }
    if (user.twoFactorEnabledAt) {
      return c.json({ twoFactorRequired: true as const, challengeToken: await signChallengeToken(user.id, config.JWT_SECRET) }, 200);
    }
    return c.json(await signIn(c, user, body.tokenDelivery), 200);
  },
);

authRouter.openapi(
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
    const { db, config, kv } = c.get('services');
    const userId = await verifyChallengeToken(body.challengeToken, config.JWT_SECRET);
    await enforceRateLimit(kv, `login:2fa:${userId}`, 10, 900, 'Too many codes tried; sign in again later');
    const user = await findUserById(db, userId);
    if (!user || !user.twoFactorEnabledAt) throw new ApiError('invalid_token', 'The sign-in challenge is not valid; sign in again');
    if (!(await checkSecondFactor(c, user, body.code))) {
      throw new ApiError('invalid_two_factor_code', 'The code is not correct');
    }
    return c.json(await signIn(c, user, body.tokenDelivery), 200);
  },
);

authRouter.openapi(
  createRoute({
    method: 'post',
    path: '/refresh',
    tags,
    summary: 'Rotate the refresh token and get a new access token',
    description: 'Reads the refresh token from the httpOnly cookie, or from the body for API clients. Reusing a rotated token signs out that whole session.',
    request: { body: { required: false, content: { 'application/json': { schema: RefreshBodySchema } } } },
    responses: {
      200: jsonContent(
        z.object({ accessToken: z.string(), expiresIn: z.number(), refreshToken: z.string().optional() }),
        'New tokens',
      ),
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
    const { db } = services;
    try {
      const { userId, tokens } = await rotateSession(services, presented, { userAgent: userAgent(c), ip: clientIp(c) });
      const user = await findUserById(db, userId);
      if (!user) throw new ApiError('invalid_token', 'The account no longer exists');
      const delivered = deliverTokens(c, user, tokens, fromBody ? 'body' : 'cookie');
      return c.json(
        { accessToken: delivered.accessToken, expiresIn: delivered.expiresIn, refreshToken: delivered.refreshToken },
        200,
      );
    } catch (error) {
      if (!fromBody) deleteCookie(c, REFRESH_COOKIE, { path: REFRESH_COOKIE_PATH, secure: true });
      throw error;
    }
  },
);

authRouter.openapi(
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

// ---- email verification and password reset ---------------------------------------------

authRouter.openapi(
  createRoute({
    method: 'get',
    path: '/verify-email',
    tags,
    summary: 'Confirm an email address with the mailed token',
    request: { query: z.object({ token: z.string().min(10) }) },
    responses: { 200: jsonContent(z.object({ verified: z.literal(true) }), 'Email verified'), ...publicErrors },
  }),
  async (c) => {
    const { db } = c.get('services');
    const userId = await consumeOneTimeToken(db, c.req.valid('query').token, 'verify_email');
    await db.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, userId));
    return c.json({ verified: true as const }, 200);
  },
);

authRouter.openapi(
  createRoute({
    method: 'post',
    path: '/resend-verification',
    tags,
    summary: 'Mail a new verification link',
    security: bearerSecurity,
    middleware: [authenticate] as const,
    responses: { 202: { description: 'Sent (or already verified)' }, ...protectedErrors },
  }),
  async (c) => {
    const user = await currentUser(c);
    await enforceRateLimit(c.get('services').kv, `verify-mail:${user.id}`, 5, 3600, 'Too many verification mails; try again in an hour');
    if (!user.emailVerifiedAt) await sendVerificationMail(c, user);
    return c.body(null, 202);
  },
);

authRouter.openapi(
  createRoute({
    method: 'post',
    path: '/forgot-password',
    tags,
    summary: 'Mail a password-reset link',
    description: 'Always answers 202, so it cannot be used to find out which emails have accounts.',
    request: { body: jsonBody(z.object({ email: EmailSchema })) },
    responses: { 202: { description: 'If the account exists, a link was mailed' }, ...publicErrors },
  }),
  async (c) => {
    const { email } = c.req.valid('json');
    const { db, kv, config } = c.get('services');
    const limit = await kv.rateLimit(`forgot:${normalizeEmail(email)}`, 5, 3600);
    const user = limit.success ? await findUserByEmail(db, email) : undefined;
    if (user) {
      const token = await createOneTimeToken(db, user.id, 'reset_password');
      const link = `${config.APP_URL}/reset-password?token=${encodeURIComponent(token)}`;
      await enqueueMail(c.get('services'), renderMail('reset', user.locale, user.email, { name: user.name, link }));
    }
    return c.body(null, 202);
  },
);

authRouter.openapi(
  createRoute({
    method: 'post',
    path: '/reset-password',
    tags,
    summary: 'Choose a new password with the mailed token',
    description: 'Signs out every session of the account.',
    request: { body: jsonBody(z.object({ token: z.string().min(10), password: PasswordSchema })) },
    responses: { 204: { description: 'Password changed' }, ...publicErrors },
  }),
  async (c) => {
    const { token, password } = c.req.valid('json');
    const services = c.get('services');
    const { db } = services;
    const userId = await consumeOneTimeToken(db, token, 'reset_password');
    await db.update(users).set({ passwordHash: await hashPassword(password) }).where(eq(users.id, userId));
    await revokeAllSessions(services, userId);
    await recordAudit(c.get('services').db, auditActor(c, userId), { action: 'auth.password_reset', targetType: 'user', targetId: userId });
    return c.body(null, 204);
  },
);

// ---- two-factor authentication ---------------------------------------------------------

authRouter.openapi(
  createRoute({
    method: 'post',
    path: '/2fa/setup',
    tags,
    summary: 'Start 2FA setup: get a TOTP secret and otpauth URL',
    description: 'Nothing changes until a code from the authenticator app is confirmed at `/auth/2fa/verify`.',
    security: bearerSecurity,
    middleware: [authenticate] as const,
    responses: {
      200: jsonContent(z.object({ secret: z.string(), otpauthUrl: z.string() }), 'Scan the URL as a QR code'),
      409: errorResponse('2FA is already on'),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const user = await currentUser(c);
    if (user.twoFactorEnabledAt) throw new ApiError('conflict', 'Two-factor authentication is already on');
    const { db, config } = c.get('services');
    const secret = newTotpSecret();
    await db
      .update(users)
      .set({ twoFactorSecret: await encryptSecret(secret, config.ENCRYPTION_KEY) })
      .where(eq(users.id, user.id));
    return c.json({ secret, otpauthUrl: otpauthUrl(secret, user.email) }, 200);
  },
);

authRouter.openapi(
  createRoute({
    method: 'post',
    path: '/2fa/verify',
    tags,
    summary: 'Confirm 2FA setup with a code; returns backup codes once',
    security: bearerSecurity,
    middleware: [authenticate] as const,
    request: { body: jsonBody(z.object({ code: CodeSchema })) },
    responses: {
      200: jsonContent(z.object({ backupCodes: z.array(z.string()) }), '2FA is on; store the backup codes'),
      409: errorResponse('Setup not started or already on'),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const user = await currentUser(c);
    const { db, kv, config } = c.get('services');
    if (user.twoFactorEnabledAt) throw new ApiError('conflict', 'Two-factor authentication is already on');
    if (!user.twoFactorSecret) throw new ApiError('conflict', 'Start the setup first (POST /api/v1/auth/2fa/setup)');
    const secret = await decryptSecret(user.twoFactorSecret, config.ENCRYPTION_KEY);
    if (!(await verifyTotp(kv, user.id, secret, c.req.valid('json').code))) {
      throw new ApiError('invalid_two_factor_code', 'The code is not correct; check the time on your device');
    }
    await db.update(users).set({ twoFactorEnabledAt: new Date() }).where(eq(users.id, user.id));
    const backupCodes = await regenerateBackupCodes(db, user.id);
    await recordAudit(c.get('services').db, auditActor(c), { action: 'auth.2fa_enabled', targetType: 'user', targetId: user.id });
    return c.json({ backupCodes }, 200);
  },
);

authRouter.openapi(
  createRoute({
    method: 'post',
    path: '/2fa/disable',
    tags,
    summary: 'Turn 2FA off (needs the password and a code)',
    security: bearerSecurity,
    middleware: [authenticate] as const,
    request: { body: jsonBody(z.object({ password: z.string().min(1), code: CodeSchema })) },
    responses: { 204: { description: '2FA is off' }, ...protectedErrors },
  }),
  async (c) => {
    const user = await currentUser(c);
    const { password, code } = c.req.valid('json');
    if (!user.twoFactorEnabledAt) throw new ApiError('conflict', 'Two-factor authentication is not on');
    if (!(await verifyPassword(password, user.passwordHash))) throw new ApiError('invalid_credentials', 'The password is not correct');
    if (!(await checkSecondFactor(c, user, code))) throw new ApiError('invalid_two_factor_code', 'The code is not correct');
    const { db } = c.get('services');
    await db.update(users).set({ twoFactorEnabledAt: null, twoFactorSecret: null }).where(eq(users.id, user.id));
    await deleteBackupCodes(db, user.id);
    await recordAudit(c.get('services').db, auditActor(c), { action: 'auth.2fa_disabled', targetType: 'user', targetId: user.id });
    return c.body(null, 204);
  },
);

authRouter.openapi(
  createRoute({
    method: 'get',
    path: '/2fa/backup-codes',
    tags,
    summary: 'How many unused backup codes are left',
    description: 'Codes are stored hashed and shown only when generated; regenerate them with POST.',
    security: bearerSecurity,
    middleware: [authenticate] as const,
    responses: { 200: jsonContent(z.object({ remaining: z.number().int() }), 'Unused codes'), ...protectedErrors },
  }),
  async (c) => {
    const user = await currentUser(c);
    const remaining = user.twoFactorEnabledAt ? await remainingBackupCodes(c.get('services').db, user.id) : 0;
    return c.json({ remaining }, 200);
  },
);

authRouter.openapi(
  createRoute({
    method: 'post',
    path: '/2fa/backup-codes',
    tags,
    summary: 'Replace the backup codes (needs a current code)',
    security: bearerSecurity,
    middleware: [authenticate] as const,
    request: { body: jsonBody(z.object({ code: CodeSchema })) },
    responses: { 200: jsonContent(z.object({ backupCodes: z.array(z.string()) }), 'New codes, shown once'), ...protectedErrors },
  }),
  async (c) => {
    const user = await currentUser(c);
    if (!user.twoFactorEnabledAt) throw new ApiError('conflict', 'Two-factor authentication is not on');
    if (!(await checkSecondFactor(c, user, c.req.valid('json').code))) {
      throw new ApiError('invalid_two_factor_code', 'The code is not correct');
    }
    const backupCodes = await regenerateBackupCodes(c.get('services').db, user.id);
    await recordAudit(c.get('services').db, auditActor(c), { action: 'auth.backup_codes_regenerated', targetType: 'user', targetId: user.id });
    return c.json({ backupCodes }, 200);
  },
);

// ---- sessions ----------------------------------------------------------------------------

const SessionSchema = z
  .object({
    id: z.uuid(),
    userAgent: z.string().nullable(),
    ip: z.string().nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    current: z.boolean(),
  })
  .openapi('Session');

authRouter.openapi(
  createRoute({
    method: 'get',
    path: '/sessions',
    tags,
    summary: 'Devices signed in to this account',
    security: bearerSecurity,
    middleware: [authenticate] as const,
    responses: { 200: jsonContent(z.object({ data: z.array(SessionSchema) }), 'Active sessions'), ...protectedErrors },
  }),
  async (c) => {
    const principal = requireUser(c);
    const rows = await listSessions(c.get('services').db, principal.userId);
    return c.json(
      {
        data: rows.map((row) => ({
          id: row.id,
          userAgent: row.userAgent,
          ip: row.ip,
          createdAt: row.createdAt.toISOString(),
          lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
          current: row.id === principal.sessionId,
        })),
      },
      200,
    );
  },
);

authRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/sessions/{session_id}',
    tags,
    summary: 'Sign out one device',
    description: 'Its refresh token stops working at once; an access token it holds expires within minutes.',
    security: bearerSecurity,
    middleware: [authenticate] as const,
    request: { params: z.object({ session_id: z.uuid() }) },
    responses: { 204: { description: 'Revoked' }, ...protectedErrors },
  }),
  async (c) => {
    const principal = requireUser(c);
    const { session_id } = c.req.valid('param');
    const { db } = c.get('services');
    const [owned] = await db
      .select({ id: refreshTokens.id })
      .from(refreshTokens)
      .where(and(eq(refreshTokens.familyId, session_id), eq(refreshTokens.userId, principal.userId)))
      .limit(1);
    if (!owned) throw new ApiError('not_found', 'Session not found');
    await revokeFamily(c.get('services'), session_id);
    await recordAudit(c.get('services').db, auditActor(c), { action: 'auth.session_revoked', targetType: 'session', targetId: session_id });
    return c.body(null, 204);
  },
);
