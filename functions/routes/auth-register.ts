import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../core/audit';
import { registerUser, sendVerificationMail, verifyEmail } from '../core/auth/account';
import { bearerSecurity, createRouter, errorResponse, jsonBody, jsonContent, protectedErrors, publicErrors } from '../lib/openapi';
import { enforceRateLimit } from '../lib/rate-limit';
import { auditActor } from '../lib/request';
import { authenticate } from '../middleware/auth';
import { RegisterBodySchema, SessionTokensSchema, VerifyEmailQuerySchema } from './auth.schemas';
import { currentUser, limitLoginAttempts, signIn } from './auth.shared';

/** /api/v1/auth/register, /verify-email, /resend-verification: new accounts and their address. */
export const authRegisterRouter = createRouter();
const tags = ['Auth'];

authRegisterRouter.openapi(
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
    const services = c.get('services');
    await limitLoginAttempts(c, body.email);
    const user = await registerUser(services, body);
    await recordAudit(services.db, auditActor(c, user.id), { action: 'auth.register', targetType: 'user', targetId: user.id });
    await sendVerificationMail(services, user);
    return c.json(await signIn(c, user, body.tokenDelivery), 201);
  },
);

authRegisterRouter.openapi(
  createRoute({
    method: 'get',
    path: '/verify-email',
    tags,
    summary: 'Confirm an email address with the mailed token',
    request: { query: VerifyEmailQuerySchema },
    responses: { 200: jsonContent(z.object({ verified: z.literal(true) }), 'Email verified'), ...publicErrors },
  }),
  async (c) => {
    await verifyEmail(c.get('services'), c.req.valid('query').token);
    return c.json({ verified: true as const }, 200);
  },
);

authRegisterRouter.openapi(
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
    const services = c.get('services');
    await enforceRateLimit(services.kv, `verify-mail:${user.id}`, 5, 3600, 'Too many verification mails; try again in an hour');
    if (!user.emailVerifiedAt) await sendVerificationMail(services, user);
    return c.body(null, 202);
  },
);
