import { z } from '@hono/zod-openapi';
import { BOT_LANGUAGES } from '../../db/schema';
import { messageAttachmentSchema } from '../core/channels/attachments';
import { PreChatFieldSchema, WidgetLookSchema } from './chatbots.schemas';

export const MAX_MESSAGE_CHARS = 2000;

export const BotPathSchema = z.object({ chatbot_id: z.uuid().openapi({ param: { name: 'chatbot_id', in: 'path' } }) });

export const AttachmentPathSchema = BotPathSchema.extend({
  message_id: z.uuid(),
  index: z.coerce.number().int().min(0).max(50).openapi({ description: 'Position in the message\u2019s `attachments`' }),
});

/** What a visitor learns of a file: enough to show it, never where it is stored. */
const WidgetAttachmentSchema = messageAttachmentSchema
  .pick({ kind: true, status: true, mimeType: true, size: true, filename: true })
  .openapi('WidgetAttachment', { description: 'Read a `stored` one at `GET /api/v1/widget/{chatbot_id}/messages/{message_id}/attachments/{index}` with the session token' });

export const WidgetConfigSchema = z
  .object({
    botId: z.uuid(),
    name: z.string(),
    language: z.enum(BOT_LANGUAGES),
    welcomeMessage: z.string().nullable(),
    online: z.boolean(),
    outOfHoursMessage: z.string().nullable(),
    widget: WidgetLookSchema,
    preChatForm: z.array(PreChatFieldSchema.openapi('PreChatField')),
    requireIdentity: z.boolean(),
  })
  .openapi('WidgetConfig');

export const WidgetStatusSchema = z.object({ status: z.literal('active'), online: z.boolean() });

export const WidgetMessageSchema = z
  .object({
    id: z.uuid(),
    role: z.enum(['user', 'assistant', 'agent', 'system', 'note']),
    content: z.string(),
    createdAt: z.string(),
    sources: z
      .array(
        z.object({
          title: z.string().openapi({ description: 'The document\u2019s title or heading, never a file name', example: 'Preguntas frecuentes' }),
          section: z.string().optional().openapi({ description: 'The heading the passage is under', example: 'Envíos' }),
          url: z.string().optional().openapi({ description: 'The spot to read it: page URL with its anchor, or a PDF page', example: 'https://shop.example/envios#plazos' }),
          documentId: z.string(),
          chunkId: z.string(),
          score: z.number(),
          page: z.number().optional(),
        }),
      )
      .openapi({ description: 'Only the passages the answer used' }),
    feedback: z.number().nullable(),
    quickReplies: z
      .array(z.object({ id: z.string(), label: z.string() }))
      .optional()
      .openapi({ description: 'Buttons under the message (the offer of a person); send the tapped id as `quickReply`' }),
    author: z.object({ name: z.string() }).optional().openapi({ description: 'An agent\u2019s reply: who wrote it (first name)' }),
    attachments: z.array(WidgetAttachmentSchema).optional().openapi({ description: 'The files the message carries, in order; the position is the file\u2019s `index`' }),
  })
  .openapi('WidgetMessage');

export const SessionBodySchema = z.object({
  sessionToken: z.string().max(2000).optional(),
  identity: z
    .object({ id: z.string().min(1).max(200), name: z.string().max(200).optional(), email: z.email().max(255).optional(), hash: z.string().max(128).optional() })
    .optional(),
  preChat: z.record(z.string(), z.string().max(1000)).optional(),
});

export const VisitorSessionSchema = z.object({
  sessionToken: z.string(),
  conversationId: z.uuid(),
  contact: z.object({ name: z.string().nullable(), email: z.string().nullable(), verified: z.boolean() }),
  messages: z.array(WidgetMessageSchema),
});

export const ChatBodySchema = z.object({
  message: z.string().trim().min(1).max(MAX_MESSAGE_CHARS),
  quickReply: z
    .string()
    .regex(/^[a-z0-9._-]{1,64}$/)
    .optional()
    .openapi({ description: 'The id of the quick-reply button the visitor tapped (its label goes in `message`)', example: 'handoff.yes' }),
});

export const FeedbackBodySchema = z.object({ messageId: z.uuid(), value: z.union([z.literal(1), z.literal(-1)]) });

export const RatingBodySchema = z.object({ rating: z.number().int().min(1).max(5), comment: z.string().trim().max(2000).optional() });

export const EventStreamResponse = { description: 'text/event-stream', content: { 'text/event-stream': { schema: z.string() } } };
