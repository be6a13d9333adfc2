import { createRoute } from '@hono/zod-openapi';
import { recordAudit } from '../core/audit';
import { completeSsoSignIn, startSsoSignIn } from '../core/sso/sign-in';
import { createRouter, errorResponse, jsonBody, jsonContent, publicErrors } from '../lib/openapi';
import { enforceRateLimit } from '../lib/rate-limit';
import { auditActor, clientIp } from '../lib/request';
import { signIn } from './auth.shared';
import { SsoCallbackBodySchema, SsoSessionSchema, SsoStartBodySchema, SsoStartSchema } from './sso.schemas';

/** /api/v1/auth/sso/start, /sso/callback: signing in through an organization's OpenID Connect provider. */
export const authSsoRouter = createRouter();
const tags = ['Auth'];

authSsoRouter.openapi(
  createRoute({
    method: 'post',
    path: '/sso/start',
    tags,
    summary: 'Start a single sign-on by email',
    description:
      'Finds the organization that verified the email\u2019s domain and answers with its identity provider\u2019s authorization URL (code flow with PKCE, state and nonce).',
    request: { body: jsonBody(SsoStartBodySchema) },
    responses: {
      200: jsonContent(SsoStartSchema, 'Where to send the browser'),
      ...publicErrors,
      400: errorResponse('No single sign-on for this domain (`sso_failed`, reason `not_configured`), or the provider cannot be reached'),
    },
  }),
  async (c) => {
    const services = c.get('services');
    await enforceRateLimit(services.kv, `sso:start:${clientIp(c)}`, services.config.AUTH_ATTEMPTS_PER_IP, 600, 'Too many sign-in attempts; try again later');
    const { authorizationUrl } = await startSsoSignIn(services, c.req.valid('json').email);
    return c.json({ authorizationUrl }, 200);
  },
);

authSsoRouter.openapi(
  createRoute({
    method: 'post',
    path: '/sso/callback',
    tags,
    summary: 'Finish a single sign-on with the provider\u2019s answer',
    description:
      'The dashboard\u2019s `/sso/callback` page posts the query string it received. The ID token is checked (issuer, audience, expiry, nonce, signature); the person signs in, and joins the organization with its default role the first time (just in time). A state is used once.',
    request: { body: jsonBody(SsoCallbackBodySchema) },
    responses: {
      200: jsonContent(SsoSessionSchema, 'Signed in'),
      ...publicErrors,
      400: errorResponse('Refused (`sso_failed`; `details.reason` says why)'),
    },
  }),
  async (c) => {
    const body = c.req.valid('json');
    const services = c.get('services');
    const result = await completeSsoSignIn(services, body.query);
    if (result.joined) {
      await recordAudit(services.db, auditActor(c, result.user.id), {
        action: 'member.joined',
        organizationId: result.organizationId,
        targetType: 'user',
        targetId: result.user.id,
        metadata: { role: result.joined.role, via: 'sso' },
      });
    }
    await recordAudit(services.db, auditActor(c, result.user.id), {
      action: 'auth.sso_login',
      organizationId: result.organizationId,
      targetType: 'user',
      targetId: result.user.id,
      metadata: { via: 'sso', createdUser: result.createdUser },
    });
    return c.json({ ...(await signIn(c, result.user, body.tokenDelivery)), organizationId: result.organizationId }, 200);
  },
);
