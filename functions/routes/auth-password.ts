import { createRoute } from '@hono/zod-openapi';
import { recordAudit } from '../core/audit';
import { requestPasswordReset, resetPassword } from '../core/auth/account';
import { createRouter, errorResponse, jsonBody, publicErrors } from '../lib/openapi';
import { refuseWhenSsoRequired } from '../core/sso/sign-in';
import { findUserById } from '../core/auth/users';
import { tokenOwner } from '../core/auth/one-time-tokens';
import { auditActor } from '../lib/request';
import { ForgotPasswordBodySchema, ResetPasswordBodySchema } from './auth.schemas';

/** /api/v1/auth/forgot-password, /reset-password: a forgotten password. (Changing it signed in: users.ts.) */
export const authPasswordRouter = createRouter();
const tags = ['Auth'];

authPasswordRouter.openapi(
  createRoute({
    method: 'post',
    path: '/forgot-password',
    tags,
    summary: 'Mail a password-reset link',
    description: 'Always answers 202, so it cannot be used to find out which emails have accounts.',
    request: { body: jsonBody(ForgotPasswordBodySchema) },
    responses: {
      202: { description: 'If the account exists, a link was mailed' },
      403: errorResponse('The email\u2019s organization requires single sign-on (`sso_required`)'),
      ...publicErrors,
    },
  }),
  async (c) => {
    // Said for the domain, whoever asks: it tells nothing about which accounts exist.
    await refuseWhenSsoRequired(c.get('services').db, c.req.valid('json').email);
    await requestPasswordReset(c.get('services'), c.req.valid('json').email);
    return c.body(null, 202);
  },
);

authPasswordRouter.openapi(
  createRoute({
    method: 'post',
    path: '/reset-password',
    tags,
    summary: 'Choose a new password with the mailed token',
    description: 'Signs out every session of the account.',
    request: { body: jsonBody(ResetPasswordBodySchema) },
    responses: {
      204: { description: 'Password changed' },
      403: errorResponse('The account\u2019s organization requires single sign-on (`sso_required`)'),
      ...publicErrors,
    },
  }),
  async (c) => {
    const { token, password } = c.req.valid('json');
    const services = c.get('services');
    // A link mailed before SSO became required must not bring a password back.
    const owner = await tokenOwner(services.db, token, 'reset_password');
    const user = owner ? await findUserById(services.db, owner) : undefined;
    if (user) await refuseWhenSsoRequired(services.db, user.email);
    const userId = await resetPassword(services, token, password);
    await recordAudit(services.db, auditActor(c, userId), { action: 'auth.password_reset', targetType: 'user', targetId: userId });
    return c.body(null, 204);
  },
);
