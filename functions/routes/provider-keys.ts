import { createRoute, z } from '@hono/zod-openapi';
import { listPresets, listProviderKeys, listProviderModels, removeProviderKey, saveProviderKey } from '../core/models/provider-key-admin';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, minRole, withOrg } from '../middleware/auth';
import { KeyCheckSchema, ProviderKeyBodySchema, ProviderKeySchema, ProviderModelListSchema, ProviderParamsSchema, ProviderPresetSchema } from './provider-keys.schemas';

/** /api/v1/provider-keys: the organization's own model provider keys, which unlock models. */
export const providerKeysRouter = createRouter();
providerKeysRouter.use('*', authenticate, withOrg);
const tags = ['Chatbots'];

providerKeysRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags,
    summary: 'The organization\u2019s own model provider keys (admin; keys are never returned)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema },
    responses: { 200: jsonContent(z.object({ data: z.array(ProviderKeySchema) }), 'Keys'), ...protectedErrors },
  }),
  async (c) => c.json({ data: await listProviderKeys(c.get('services'), c.get('org').organizationId) }, 200),
);

providerKeysRouter.openapi(
  createRoute({
    method: 'get',
    path: '/presets',
    tags,
    summary: 'OpenAI-compatible services that need only a key (Gemini, Mistral, Together, OpenRouter, DeepSeek, Ollama, LM Studio)',
    description:
      'Each preset is a base URL; save a key with `PUT /api/v1/provider-keys/{id}`. Local presets (Ollama, LM Studio) are `available` only where the operator set `ALLOW_PRIVATE_URLS=true` (never on a hosted deployment); elsewhere saving one answers 422 `local_provider_not_allowed`.',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema },
    responses: { 200: jsonContent(z.object({ data: z.array(ProviderPresetSchema) }), 'Presets'), ...protectedErrors },
  }),
  async (c) => c.json({ data: listPresets(c.get('services')) }, 200),
);

providerKeysRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{provider}/models',
    tags,
    summary: 'The models the provider offers with the saved key (admin), for a model picker',
    description: 'Read from the provider’s `GET /models` through the outbound port; when it has no list or fails, the preset’s suggestions and the names saved with the key.',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: ProviderParamsSchema },
    responses: { 200: jsonContent(ProviderModelListSchema, 'Models'), ...protectedErrors },
  }),
  async (c) => c.json(await listProviderModels(c.get('services'), c.get('org').organizationId, c.req.valid('param').provider), 200),
);

providerKeysRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{provider}',
    tags,
    summary: 'Set the organization\u2019s key for a provider (admin); checked with the provider, stored encrypted',
    description:
      'For `compatible` (any OpenAI-compatible server), `baseUrl` and `models` are required. For a preset (`gemini`, `mistral`, `together`, `openrouter`, `deepseek`, `ollama`, `lmstudio`; see `/presets`) both are optional: the preset’s base URL, and the models its `GET /models` lists (its suggestions when the list is long). A `baseUrl` on a loopback, private or metadata address (or a name that resolves to one) is refused with 422 `url_not_allowed`; every call through it is checked again. The key is then checked with `GET {baseUrl}/models`: a rejected key (401/403), a base URL without that endpoint (404) or one that cannot be reached answers 422 with the reason as the detail\u2019s `code` (`invalid_key`, `wrong_url`, `unreachable`, `address_refused`); a rate limit or provider error saves the key with `check.status` `unverified`.',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: ProviderParamsSchema, body: jsonBody(ProviderKeyBodySchema) },
    responses: { 200: jsonContent(ProviderKeySchema.extend({ check: KeyCheckSchema }), 'Saved'), ...protectedErrors },
  }),
  async (c) => c.json(await saveProviderKey(c.get('services'), c.get('org').organizationId, c.req.valid('param').provider, c.req.valid('json')), 200),
);

providerKeysRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{provider}',
    tags,
    summary: 'Remove the organization\u2019s key for a provider (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: ProviderParamsSchema },
    responses: { 204: { description: 'Removed' }, ...protectedErrors },
  }),
  async (c) => {
    await removeProviderKey(c.get('services'), c.get('org').organizationId, c.req.valid('param').provider);
    return c.body(null, 204);
  },
);
