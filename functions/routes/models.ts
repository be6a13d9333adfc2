import { createRoute, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { providerKeys } from '../../db/schema';
import { checkProviderKey, forgetOrganizationBots, orgProviderKeys, type KeyCheck } from '../core/models/org-keys';
import { encryptSecret } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import { urlNotAllowed } from '../lib/network';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { inOrg } from '../lib/tenancy';
import { authenticate, minRole, withOrg } from '../middleware/auth';

/** Chat models, and the organization's own provider keys that unlock them. */
export const modelsRouter = createRouter();
modelsRouter.use('*', authenticate, withOrg);
export const providerKeysRouter = createRouter();
providerKeysRouter.use('*', authenticate, withOrg);

modelsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Chatbots'],
    summary: 'Chat models this organization can use',
    description: '`builtin:extractive` needs no provider: it answers with passages from the knowledge base and cites them. Others need a key: the deployment\u2019s, or the organization\u2019s own (see /api/v1/provider-keys).',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema },
    responses: {
      200: jsonContent(
        z.object({
          data: z.array(z.object({ id: z.string(), provider: z.enum(['builtin', 'openai', 'groq', 'compatible']), label: z.string(), available: z.boolean() })),
          defaultModel: z.string(),
        }),
        'Models',
      ),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const services = c.get('services');
    const list = services.models.list(await orgProviderKeys(services, c.get('org').organizationId));
    return c.json({ data: list, defaultModel: list.find((m) => m.available && m.provider !== 'builtin')?.id ?? services.models.defaultModel }, 200);
  },
);

const ProviderSchema = z.enum(['openai', 'groq', 'compatible']);
const ProviderKeySchema = z
  .object({
    provider: ProviderSchema,
    keyHint: z.string().openapi({ example: '…a1b2', description: 'Last characters only; the key is never returned' }),
    baseUrl: z.string().nullable(),
    models: z.array(z.string()),
    updatedAt: z.string(),
  })
  .openapi('ProviderKey');

function publicKey(row: typeof providerKeys.$inferSelect) {
  return { provider: row.provider, keyHint: `…${row.keyHint}`, baseUrl: row.baseUrl, models: row.models, updatedAt: row.updatedAt.toISOString() };
}

const KeyCheckSchema = z
  .object({
    status: z.enum(['verified', 'unverified']),
    reason: z.enum(['rate_limited', 'provider_error']).optional().openapi({ description: 'Why the provider could not confirm the key; it was saved anyway' }),
  })
  .openapi('ProviderKeyCheck', { description: 'What the provider said when asked for its model list with the key' });

const REFUSALS = {
  invalid_key: { path: 'apiKey', message: 'The provider rejected this key' },
  wrong_url: { path: 'baseUrl', message: 'No OpenAI-compatible API at this address (GET /models answered 404)' },
  unreachable: { path: 'baseUrl', message: 'The provider could not be reached' },
  address_refused: { path: 'baseUrl', message: 'This address is not allowed' },
} as const;

/** A key the provider refused is not saved: the error names the field and carries the reason as its code. */
function refuse(check: Extract<KeyCheck, { status: 'refused' }>): never {
  const { path, message } = REFUSALS[check.reason];
  throw new ApiError('validation_failed', `${message}: ${check.detail}`, { details: [{ path, message, code: check.reason }] });
}

providerKeysRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Chatbots'],
    summary: 'The organization\u2019s own model provider keys (admin; keys are never returned)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema },
    responses: { 200: jsonContent(z.object({ data: z.array(ProviderKeySchema) }), 'Keys'), ...protectedErrors },
  }),
  async (c) => {
    const rows = await c.get('services').db.select().from(providerKeys).where(inOrg(providerKeys, c.get('org').organizationId));
    return c.json({ data: rows.map(publicKey) }, 200);
  },
);

providerKeysRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{provider}',
    tags: ['Chatbots'],
    summary: 'Set the organization\u2019s key for a provider (admin); checked with the provider, stored encrypted',
    description:
      'For `compatible` (Ollama, vLLM, LM Studio…), `baseUrl` and `models` are required. A `baseUrl` on a loopback, private or metadata address (or a name that resolves to one) is refused with 422 `url_not_allowed`; every call through it is checked again. The key is then checked with `GET {baseUrl}/models`: a rejected key (401/403), a base URL without that endpoint (404) or one that cannot be reached answers 422 with the reason as the detail\u2019s `code` (`invalid_key`, `wrong_url`, `unreachable`, `address_refused`); a rate limit or provider error saves the key with `check.status` `unverified`.',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: {
      headers: OrgHeaderSchema,
      params: z.object({ provider: ProviderSchema }),
      body: jsonBody(
        z.object({
          apiKey: z.string().trim().min(1).max(500),
          baseUrl: z.url().max(500).optional(),
          models: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
        }),
      ),
    },
    responses: { 200: jsonContent(ProviderKeySchema.extend({ check: KeyCheckSchema }), 'Saved'), ...protectedErrors },
  }),
  async (c) => {
    const { provider } = c.req.valid('param');
    const input = c.req.valid('json');
    if (provider === 'compatible' && (!input.baseUrl || !input.models?.length)) {
      throw new ApiError('validation_failed', 'A compatible server needs its base URL and the names of its models', {
        details: [{ path: input.baseUrl ? 'models' : 'baseUrl', message: 'Required for compatible servers', code: 'custom' }],
      });
    }
    const services = c.get('services');
    const { organizationId } = c.get('org');
    // Checked on save for a clear answer; every call checks again (DNS can change after saving).
    const refusal = input.baseUrl ? await services.outbound.check(input.baseUrl) : null;
    if (refusal) throw urlNotAllowed(refusal, 'baseUrl');
    const check = await checkProviderKey(services, { provider, apiKey: input.apiKey, baseUrl: input.baseUrl ?? null });
    if (check.status === 'refused') refuse(check);
    const values = {
      apiKeyEncrypted: await encryptSecret(input.apiKey, services.config.ENCRYPTION_KEY),
      keyHint: input.apiKey.slice(-4),
      baseUrl: input.baseUrl ?? null,
      models: input.models ?? [],
    };
    const [row] = await services.db
      .insert(providerKeys)
      .values({ organizationId, provider, ...values })
      .onConflictDoUpdate({ target: [providerKeys.organizationId, providerKeys.provider], set: values })
      .returning();
    await forgetOrganizationBots(services, organizationId);
    return c.json({ ...publicKey(row), check: check.status === 'verified' ? { status: check.status } : { status: check.status, reason: check.reason } }, 200);
  },
);

providerKeysRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{provider}',
    tags: ['Chatbots'],
    summary: 'Remove the organization\u2019s key for a provider (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: z.object({ provider: ProviderSchema }) },
    responses: { 204: { description: 'Removed' }, ...protectedErrors },
  }),
  async (c) => {
    const services = c.get('services');
    const { organizationId } = c.get('org');
    const deleted = await services.db
      .delete(providerKeys)
      .where(inOrg(providerKeys, organizationId, eq(providerKeys.provider, c.req.valid('param').provider)))
      .returning({ id: providerKeys.id });
    if (deleted.length === 0) throw new ApiError('not_found', 'No key for this provider');
    await forgetOrganizationBots(services, organizationId);
    return c.body(null, 204);
  },
);
