import { createRoute, z } from '@hono/zod-openapi';
import { ApiError } from '../lib/errors';
import { createRouter, jsonContent, publicErrors } from '../lib/openapi';

/**
 * The local runtime's mail outbox, so verification and reset links work with no mail provider.
 * It exists only where the runtime provides an outbox (local, not production mode); elsewhere 404.
 */
export const devRouter = createRouter();

devRouter.openapi(
  createRoute({
    method: 'get',
    path: '/outbox',
    tags: ['Development'],
    summary: 'Mails "sent" by the local runtime (local development only)',
    request: { query: z.object({ to: z.string().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }) },
    responses: {
      200: jsonContent(
        z.object({
          data: z.array(
            z.object({ id: z.string(), to: z.string(), subject: z.string(), text: z.string(), html: z.string().optional(), createdAt: z.string() }),
          ),
        }),
        'Newest first',
      ),
      404: jsonContent(z.any(), 'Not available in this runtime'),
      ...publicErrors,
    },
  }),
  async (c) => {
    const { outbox } = c.get('services');
    if (!outbox) throw new ApiError('not_found', 'The dev outbox exists only in the local runtime');
    const { to, limit } = c.req.valid('query');
    const data = await outbox.list({ to: to?.toLowerCase(), limit });
    return c.json({ data: data.map((m) => ({ ...m, html: m.html ?? undefined })) }, 200);
  },
);
