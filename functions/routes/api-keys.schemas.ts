import { z } from '@hono/zod-openapi';
import { createSelectSchema } from 'drizzle-zod';
import { API_KEY_SCOPES, apiKeys } from '../../db/schema';
import { RoleSchema } from './organizations.schemas';

export const ApiKeyScopeSchema = z.enum(API_KEY_SCOPES).openapi('ApiKeyScope', {
  description: '`read`: GET routes; `chat`: the OpenAI-compatible endpoint (/api/v1/openai); `admin`: every other write',
});
const ApiKeyScopesSchema = z.array(ApiKeyScopeSchema).min(1).max(API_KEY_SCOPES.length).refine((scopes) => new Set(scopes).size === scopes.length, 'Each scope once');
const RateLimitSchema = z.number().int().min(1).max(100_000).nullable().openapi({ example: 60, description: 'Requests per minute; null = no limit of its own' });

// From the table (id, name, prefix, role); the dates are ISO strings in the API, and the hash,
// organization and creator stay inside.
export const ApiKeySchema = createSelectSchema(apiKeys)
  .pick({ id: true, name: true })
  .extend({
    prefix: createSelectSchema(apiKeys).shape.prefix.openapi({ example: 'vsk_Ab12Cd' }),
    role: RoleSchema,
    scopes: ApiKeyScopesSchema,
    rateLimitPerMinute: z.number().int().nullable().openapi({ description: 'Requests per minute this key may make (429 with Retry-After past it); null = no limit of its own' }),
    requestCount: z.number().int().openapi({ description: 'Requests authenticated with this key so far' }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
  })
  .openapi('ApiKey');

export const CreateApiKeySchema = z.object({
  name: z.string().trim().min(1).max(100).openapi({ example: 'CRM sync' }),
  role: RoleSchema.exclude(['owner']).default('admin'),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
  scopes: ApiKeyScopesSchema.default([...API_KEY_SCOPES]),
  rateLimitPerMinute: RateLimitSchema.optional(),
});

export const UpdateApiKeySchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    scopes: ApiKeyScopesSchema.optional(),
    rateLimitPerMinute: RateLimitSchema.optional(),
  })
  .openapi('UpdateApiKey');

export const CreatedApiKeySchema = z.object({ apiKey: ApiKeySchema, key: z.string().openapi({ example: 'vsk_…' }) });

export const ApiKeyParamsSchema = z.object({ key_id: z.uuid() });
