import { createRoute } from '@hono/zod-openapi';
import { identitySecret } from '../core/chat/bot-identity';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonContent, protectedErrors } from '../lib/openapi';
import { minRole } from '../middleware/auth';
import { BotParamsSchema, IdentitySecretSchema } from './chatbots.schemas';

/** /api/v1/chatbots/{id}/identity-secret: the key for identify(). Mounted by chatbots.ts, whose middleware authenticates. */
export const chatbotsIdentitySecretRouter = createRouter();
const tags = ['Chatbots'];

chatbotsIdentitySecretRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/identity-secret',
    tags,
    summary: 'The key that signs visitor identities for identify() (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema },
    responses: { 200: jsonContent(IdentitySecretSchema, 'The secret'), ...protectedErrors },
  }),
  async (c) => c.json({ secret: await identitySecret(c.get('services'), c.get('org').organizationId, c.req.valid('param').chatbot_id, false) }, 200),
);

chatbotsIdentitySecretRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{chatbot_id}/identity-secret',
    tags,
    summary: 'Rotate the identity key (admin); identities signed with the old one become unverified',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema },
    responses: { 200: jsonContent(IdentitySecretSchema, 'The secret'), ...protectedErrors },
  }),
  async (c) => c.json({ secret: await identitySecret(c.get('services'), c.get('org').organizationId, c.req.valid('param').chatbot_id, true) }, 200),
);
