import { z } from '@hono/zod-openapi';
import { createSelectSchema } from 'drizzle-zod';
import { providerKeys } from '../../db/schema';

/** From the table: the providers an organization can hold a key for. */
export const ProviderSchema = createSelectSchema(providerKeys).shape.provider;

export const ProviderParamsSchema = z.object({ provider: ProviderSchema });

// Hand-written rather than derived: the key itself never leaves the server, `keyHint` is shown
// with a leading ellipsis and `updatedAt` is an ISO string (a Date in the row).
export const ProviderKeySchema = z
  .object({
    provider: ProviderSchema,
    keyHint: z.string().openapi({ example: '…a1b2', description: 'Last characters only; the key is never returned' }),
    baseUrl: z.string().nullable(),
    models: z.array(z.string()),
    updatedAt: z.string(),
  })
  .openapi('ProviderKey');

export const KeyCheckSchema = z
  .object({
    status: z.enum(['verified', 'unverified']),
    reason: z.enum(['rate_limited', 'provider_error']).optional().openapi({ description: 'Why the provider could not confirm the key; it was saved anyway' }),
  })
  .openapi('ProviderKeyCheck', { description: 'What the provider said when asked for its model list with the key' });

export const ProviderKeyBodySchema = z.object({
  apiKey: z.string().trim().min(1).max(500),
  baseUrl: z.url().max(500).optional(),
  models: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
});

export const ProviderPresetSchema = z
  .object({
    id: ProviderSchema,
    label: z.string(),
    baseUrl: z.string().openapi({ description: 'Where the key\u2019s calls go unless the key names another base URL' }),
    local: z.boolean().openapi({ description: 'Runs on the operator\u2019s machine or network (Ollama, LM Studio)' }),
    keyUrl: z.string().nullable(),
    suggestedModels: z.array(z.string()),
    available: z.boolean().openapi({ description: 'False for local presets where the deployment does not allow private addresses' }),
  })
  .openapi('ProviderPreset');

export const ProviderModelListSchema = z
  .object({
    data: z.array(z.object({ id: z.string() })),
    source: z.enum(['provider', 'suggested']).openapi({ description: '`provider`: read from its `GET /models`; `suggested`: it has no list, or it failed' }),
  })
  .openapi('ProviderModelList');
