import { z } from '@hono/zod-openapi';

export const ModelListSchema = z.object({
  data: z.array(z.object({ id: z.string(), provider: z.enum(['builtin', 'openai', 'groq', 'compatible']), label: z.string(), available: z.boolean() })),
  defaultModel: z.string(),
});
