import { z } from '@hono/zod-openapi';
import { MODEL_PROVIDERS } from '../../db/schema';

export const ModelListSchema = z.object({
  data: z.array(z.object({ id: z.string(), provider: z.enum(['builtin', ...MODEL_PROVIDERS]), label: z.string(), available: z.boolean() })),
  defaultModel: z.string(),
});
