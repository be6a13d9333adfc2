import { z } from '@hono/zod-openapi';
import { createSelectSchema } from 'drizzle-zod';
import { BOT_LANGUAGES, BOT_PERSONALITIES, bots } from '../../db/schema';

export const BotParamsSchema = z.object({ chatbot_id: z.uuid().openapi({ param: { name: 'chatbot_id', in: 'path' } }) });

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use HH:MM (24 h)');

export const WidgetLookSchema = z
  .object({
    title: z.string().max(80).optional(),
    avatarUrl: z.url().max(1000).optional(),
    primaryColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'A hex colour like #4f46e5').optional(),
    position: z.enum(['bottom-right', 'bottom-left']).optional(),
    launcherText: z.string().max(40).optional(),
    theme: z.enum(['light', 'dark', 'auto']).optional(),
  })
  .openapi('WidgetLook');

export const PreChatFieldSchema = z.object({
  key: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/, 'Letters, digits and _'),
  label: z.string().min(1).max(100),
  type: z.enum(['text', 'email', 'phone', 'select']),
  required: z.boolean(),
  options: z.array(z.string().min(1).max(100)).max(50).optional(),
});

const origin = z
  .string()
  .max(300)
  .refine((v) => {
    try {
      const url = new URL(v);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === v.replace(/\/$/, '');
    } catch {
      return false;
    }
  }, 'An origin like https://shop.example.com (scheme and host, no path)')
  .transform((v) => v.replace(/\/$/, ''));

/**
 * Every setting of a bot; `config` and create/update share it. Hand-written, not derived from
 * `bots`: these are the API's input rules (bounds, trimming, origins) that the columns do not hold,
 * `widget` and `preChatForm` are JSON columns, and `knowledgeBaseIds` is a link table.
 */
export const BotSettingsSchema = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).nullable(),
  type: z.enum(['ai', 'auto']).openapi({ description: '`auto` always answers with `autoReply`' }),
  model: z.string().max(100).openapi({ example: 'builtin:extractive', description: 'See GET /api/v1/models' }),
  fallbackModel: z.string().max(100).nullable().openapi({ description: 'Tried when the model fails before answering' }),
  systemPrompt: z.string().max(20_000),
  temperature: z.number().min(0).max(2),
  maxTokens: z.number().int().min(16).max(16_000),
  personality: z.enum(BOT_PERSONALITIES),
  language: z.enum(BOT_LANGUAGES),
  welcomeMessage: z.string().max(2000).nullable(),
  fallbackMessage: z.string().max(2000).nullable(),
  autoReply: z.string().max(4000).nullable(),
  outOfHoursMessage: z.string().max(2000).nullable(),
  answerOutsideHours: z.boolean(),
  memorySize: z.number().int().min(0).max(50),
  retrievalTopK: z.number().int().min(1).max(20),
  retrievalThreshold: z.number().min(0).max(1),
  retrievalRerank: z.boolean().openapi({ description: 'With a model: it reorders the first 30 passages before answering (one small extra call per turn)' }),
  answerOnlyFromKnowledge: z.boolean(),
  handoffConfidence: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .openapi({ description: 'Hand the conversation to a person when the best knowledge match is below this relevance (0..1); null never does' }),
  widget: WidgetLookSchema,
  preChatForm: z.array(PreChatFieldSchema).max(20),
  allowedOrigins: z.array(origin).max(50).openapi({ description: 'Sites allowed to embed the widget; empty allows any' }),
  knowledgeBaseIds: z.array(z.uuid()).max(20),
});

/** Straight from the table: the id, the slug and the status enum. */
const BotIdentitySchema = createSelectSchema(bots).pick({ id: true, slug: true, status: true });

// Timestamps are ISO strings in the API (Date in the row); conversationCount is computed.
export const BotSchema = BotSettingsSchema.extend({
  ...BotIdentitySchema.shape,
  conversationCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deployedAt: z.string().nullable(),
}).openapi('Chatbot');

export const CreateBotSchema = BotSettingsSchema.partial().extend({ name: BotSettingsSchema.shape.name });
export const UpdateBotSchema = BotSettingsSchema.partial().extend({ status: z.enum(['draft', 'inactive', 'archived']).optional() });

export const BotListQuerySchema = z.object({ status: BotIdentitySchema.shape.status.optional(), q: z.string().max(200).optional() });

export const ScheduleSchema = z
  .object({ id: z.uuid(), weekday: z.number().int().min(0).max(6), opensAt: hhmm, closesAt: hhmm })
  .openapi('ScheduleInterval');
export const ScheduleParamsSchema = BotParamsSchema.extend({ schedule_id: z.uuid() });

export const ScheduleInputSchema = z
  .object({ weekday: z.number().int().min(0).max(6).openapi({ description: '0 = Sunday' }), opensAt: hhmm, closesAt: hhmm })
  .refine((s) => s.opensAt !== s.closesAt, { message: 'Opening and closing times must differ', path: ['closesAt'] });

export const PlaygroundBodySchema = z.object({
  message: z.string().trim().min(1).max(2000),
  conversationId: z.uuid().optional().openapi({ description: 'Continue a playground conversation' }),
});

export const IdentitySecretSchema = z.object({
  secret: z.string().openapi({ description: 'HMAC-SHA256 key: hash = hex(HMAC(secret, visitor id)), computed on your server' }),
});
