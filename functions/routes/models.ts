import { createRoute } from '@hono/zod-openapi';
import { orgProviderKeys } from '../core/models/org-keys';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, withOrg } from '../middleware/auth';
import { ModelListSchema } from './models.schemas';

/** /api/v1/models: the chat models an organization can use (its own keys: provider-keys.ts). */
export const modelsRouter = createRouter();
modelsRouter.use('*', authenticate, withOrg);

modelsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Chatbots'],
    summary: 'Chat models this organization can use',
    description: '`builtin:extractive` needs no provider: it answers with passages from the knowledge base and cites them. Others need a key: the deployment\u2019s, or the organization\u2019s own (see /api/v1/provider-keys).',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema },
    responses: { 200: jsonContent(ModelListSchema, 'Models'), ...protectedErrors },
  }),
  async (c) => {
    const services = c.get('services');
    const list = services.models.list(await orgProviderKeys(services, c.get('org').organizationId));
    return c.json({ data: list, defaultModel: list.find((m) => m.available && m.provider !== 'builtin')?.id ?? services.models.defaultModel }, 200);
  },
);
