import { z } from '@hono/zod-openapi';
import { createSelectSchema } from 'drizzle-zod';
import { cannedResponses } from '../../db/schema';

/** The canned responses API's contract; the columns come from the table, timestamps as ISO strings. */
export const CannedResponseParams = z.object({ canned_response_id: z.uuid() });

export const CannedResponseSchema = createSelectSchema(cannedResponses, {
  createdAt: () => z.string().openapi({ format: 'date-time' }),
  updatedAt: () => z.string().openapi({ format: 'date-time' }),
})
  .pick({ id: true, shortcut: true, content: true, createdAt: true, updatedAt: true })
  .openapi('CannedResponse');

export const CannedResponseListQuery = z.object({ q: z.string().max(100).optional() });
export const CannedResponseListSchema = z.object({ data: z.array(CannedResponseSchema) });

export const CannedResponseBody = z.object({
  shortcut: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'Letters, digits, - and _ only, without the slash')
    .openapi({ example: 'horario' }),
  content: z.string().trim().min(1).max(4000).openapi({ example: 'Nuestro horario es de lunes a viernes, de 9:00 a 18:00.' }),
});
