import { createRoute } from '@hono/zod-openapi';
import { deleteSecret, listSecrets, putSecret } from '../core/flows/secrets';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, minRole, withOrg } from '../middleware/auth';
import { CreateSecretSchema, SecretListSchema, SecretParamsSchema, SecretSchema } from './flows.schemas';

/** /api/v1/secrets: values flows' API calls authenticate with, by name. Values go in and never come out. Admins only. */
export const secretsRouter = createRouter();
secretsRouter.use('*', authenticate, withOrg);
const tags = ['Secrets'];

secretsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags,
    summary: 'The organization\u2019s secrets (names and dates, never values)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema },
    responses: { 200: jsonContent(SecretListSchema, 'Secrets'), ...protectedErrors },
  }),
  async (c) => c.json({ data: await listSecrets(c.get('services'), c.get('org').organizationId) }, 200),
);

secretsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags,
    summary: 'Create a secret, or replace the value of the one with that name',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, body: jsonBody(CreateSecretSchema) },
    responses: { 201: jsonContent(SecretSchema, 'Saved'), ...protectedErrors },
  }),
  async (c) => {
    const { name, value } = c.req.valid('json');
    return c.json(await putSecret(c.get('services'), c.get('org').organizationId, name, value), 201);
  },
);

secretsRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{name}',
    tags,
    summary: 'Delete a secret (flows that use it fail their API call until it exists again)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: SecretParamsSchema },
    responses: { 204: { description: 'Deleted' }, ...protectedErrors },
  }),
  async (c) => {
    await deleteSecret(c.get('services'), c.get('org').organizationId, c.req.valid('param').name);
    return c.body(null, 204);
  },
);
