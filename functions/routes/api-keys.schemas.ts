import { z } from '@hono/zod-openapi';
import { createSelectSchema } from 'drizzle-zod';
import { apiKeys } from '../../db/schema';
import { RoleSchema } from './organizations.schemas';

// From the table (id, name, prefix, role); the dates are ISO strings in the API, and the hash,
// organization and creator stay inside.
export const ApiKeySchema = createSelectSchema(apiKeys)
  .pick({ id: true, name: true })
  .extend({
    prefix: createSelectSchema(apiKeys).shape.prefix.openapi({ example: 'vsk_Ab12Cd' }),
    role: RoleSchema,
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
  })
  .openapi('ApiKey');

export const CreateApiKeySchema = z.object({
  name: z.string().trim().min(1).max(100).openapi({ example: 'CRM sync' }),
  role: RoleSchema.exclude(['owner']).default('admin'),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

export const CreatedApiKeySchema = z.object({ apiKey: ApiKeySchema, key: z.string().openapi({ example: 'vsk_…' }) });

export const ApiKeyParamsSchema = z.object({ key_id: z.uuid() });
