import { z } from '@hono/zod-openapi';

export const OutboxQuerySchema = z.object({
  to: z.string().optional().openapi({ description: 'Recipient; only with X-Dev-Outbox-Key', example: 'ana@example.com' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const OutboxSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      to: z.string(),
      subject: z.string(),
      text: z.string(),
      html: z.string().optional(),
      from: z.string().optional().openapi({ description: 'The sender, when not the deployment\u2019s (an email channel\u2019s inbox address)' }),
      headers: z.record(z.string(), z.string()).optional().openapi({ description: 'Extra headers: an email channel\u2019s threading (Message-ID, In-Reply-To, References)' }),
      createdAt: z.string(),
    }),
  ),
});
