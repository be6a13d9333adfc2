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
