import { z } from '@hono/zod-openapi';

/** The 24-hour customer service window and WhatsApp templates (routes/conversations-whatsapp.ts). */
export const CustomerWindowSchema = z
  .object({
    open: z.boolean().openapi({ description: 'Whether free text may be sent now; when false, only an approved template can go out' }),
    lastCustomerMessageAt: z.string().nullable().openapi({ format: 'date-time' }),
    closesAt: z.string().nullable().openapi({ format: 'date-time', description: '24 hours after the customer\u2019s last message' }),
  })
  .openapi('CustomerWindow');

export const WhatsAppTemplateSchema = z
  .object({
    name: z.string(),
    language: z.string().openapi({ example: 'en_US' }),
    category: z.string().nullable(),
    variables: z
      .object({ header: z.array(z.string()), body: z.array(z.string()) })
      .openapi({ description: 'Variable names (`1`, `2`… or named) in the order their values are given' }),
    header: z.string().nullable(),
    body: z.string(),
    footer: z.string().nullable(),
    supported: z.boolean().openapi({ description: 'False when the template needs a media header or button values, which cannot be sent from here' }),
  })
  .openapi('WhatsAppTemplate');

export const ConversationTemplatesSchema = z
  .object({
    window: CustomerWindowSchema,
    templates: z.array(WhatsAppTemplateSchema),
    templatesUnavailable: z.string().nullable().openapi({ description: 'Why the templates could not be listed (no WhatsApp Business Account id, WhatsApp refused)' }),
  })
  .openapi('ConversationTemplates');

const value = z.string().trim().min(1).max(1024);

export const SendTemplateBody = z
  .object({
    name: z.string().min(1).max(512).openapi({ example: 'order_update' }),
    language: z.string().min(2).max(15).openapi({ example: 'en_US' }),
    variables: z
      .object({ header: z.array(value).max(1).optional(), body: z.array(value).max(100).optional() })
      .optional()
      .openapi({ description: 'Values for the template\u2019s variables, in the order `variables` lists them', example: { header: ['#1234'], body: ['Ana', '#1234'] } }),
  })
  .openapi('SendTemplateBody');
