import { createRoute, z } from '@hono/zod-openapi';
import { bearerSecurity, createRouter, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate } from '../middleware/auth';

export const modelsRouter = createRouter();
modelsRouter.use('*', authenticate);

modelsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Chatbots'],
    summary: 'Chat models this deployment offers',
    description: '`builtin:extractive` needs no provider: it answers with passages from the knowledge base and cites them.',
    security: bearerSecurity,
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
  (c) => {
    const { models } = c.get('services');
    return c.json({ data: models.list(), defaultModel: models.defaultModel }, 200);
  },
);
