import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { findUserById } from '../core/auth/users';
import { timingSafeEqual } from '../lib/crypto';
import type { AppEnv } from '../lib/env';
import { ApiError } from '../lib/errors';
import { bearerSecurity, createRouter, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, requireUser } from '../middleware/auth';
import { OutboxQuerySchema, OutboxSchema } from './dev.schemas';

/**
 * The local runtime's mail outbox, so verification and reset links work with no mail provider.
 * It exists only where the runtime provides an outbox (local, not production mode); elsewhere 404.
 *
 * Whoever reaches the port must not read someone else's mail (a password-reset link is an account),
 * so a signed-in person sees only mail addressed to their own email: a newcomer has a session right
 * after sign-up, so their verification link is still one click away. Tests and scripts that need
 * any recipient's mail (an invitation to an address with no account yet) present DEV_OUTBOX_KEY,
 * a secret only the operator sets.
 */
export const devRouter = createRouter();

export const DEV_OUTBOX_KEY_HEADER = 'x-dev-outbox-key';

devRouter.use('/outbox', async (c, next) => {
  if (!c.get('services').outbox) throw new ApiError('not_found', 'The dev outbox exists only in the local runtime');
  if (operatorKeyPresented(c)) return next();
  return authenticate(c, next);
});

function operatorKeyPresented(c: Context<AppEnv>): boolean {
  const configured = c.get('services').config.DEV_OUTBOX_KEY;
  const presented = c.req.header(DEV_OUTBOX_KEY_HEADER);
  if (presented === undefined) return false;
  if (!configured || !timingSafeEqual(presented, configured)) throw new ApiError('unauthorized', 'The dev outbox key is not valid');
  return true;
}

async function ownEmail(c: Context<AppEnv>): Promise<string> {
  const { userId } = requireUser(c);
  const user = await findUserById(c.get('services').db, userId);
  if (!user) throw new ApiError('invalid_token', 'The account behind this token no longer exists');
  return user.email.toLowerCase();
}

devRouter.openapi(
  createRoute({
    method: 'get',
    path: '/outbox',
    tags: ['Development'],
    summary: 'Your mail "sent" by the local runtime (local development only)',
    description:
      'Mail addressed to the signed-in user\'s email, newest first. With the operator\'s `X-Dev-Outbox-Key` (DEV_OUTBOX_KEY) instead of a token, `to` picks any recipient.',
    security: bearerSecurity,
    request: {
      query: OutboxQuerySchema,
    },
    responses: {
      200: jsonContent(OutboxSchema, 'Newest first'),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const { outbox } = c.get('services');
    if (!outbox) throw new ApiError('not_found', 'The dev outbox exists only in the local runtime');
    const { to, limit } = c.req.valid('query');
    const recipient = c.get('principal') ? await ownEmail(c) : to?.toLowerCase();
    if (!recipient) throw new ApiError('bad_request', 'Give the recipient as `to`');
    const data = await outbox.list({ to: recipient, limit });
    return c.json({ data: data.map((m) => ({ ...m, html: m.html ?? undefined })) }, 200);
  },
);
