import { z } from '@hono/zod-openapi';
import { createSelectSchema } from 'drizzle-zod';
import { contacts, conversations, messages } from '../../db/schema';
import { EXPORT_FORMATS } from '../core/conversations/export';
import { ContactAttributesSchema, MessageMetadataSchema, QuickReplySchema } from '../core/conversations/json-columns';
import { CursorQuerySchema } from '../lib/openapi';

/**
 * The inbox API's contract. Columns come from the drizzle tables (drizzle-zod); timestamps are
 * overridden because the API sends ISO strings where the table holds Dates, and the JSON columns
 * (contact attributes, message metadata) get their real shape by hand: the table only knows them
 * as `Record<string, unknown>`.
 */
export const STATUSES = conversations.status.enumValues;
export const PRIORITIES = conversations.priority.enumValues;
const HANDOFF_STATES = conversations.handoff.enumValues;
/** Channels an inbox conversation can be on (the playground's never reach the inbox). */
const CHANNELS = ['web', 'whatsapp', 'messenger', 'instagram', 'telegram', 'api', 'email', 'slack', 'discord'] as const;
export const MAX_AGENT_MESSAGE = 4000;

export const ConversationParams = z.object({ conversation_id: z.uuid() });

const isoTimestamp = () => z.string().openapi({ format: 'date-time' });
const isoTimestampOrNull = () => z.string().nullable().openapi({ format: 'date-time' });

const SourceSchema = z.object({
  title: z.string(),
  section: z.string().optional(),
  url: z.string().optional(),
  documentId: z.string(),
  chunkId: z.string(),
  score: z.number(),
  page: z.number().optional(),
  cited: z.boolean().optional(),
});

const authorOf = z.object({ id: z.uuid(), name: z.string().nullable() });

export const MessageSchema = createSelectSchema(messages, { createdAt: isoTimestamp, metadata: MessageMetadataSchema })
  .pick({
    id: true,
    role: true,
    content: true,
    contentType: true,
    metadata: true,
    channel: true,
    deliveryStatus: true,
    error: true,
    createdAt: true,
    feedback: true,
  })
  .extend({
    role: z.enum(messages.role.enumValues).openapi({ description: '`note`: a private note only the team sees' }),
    deliveryStatus: z.enum(messages.deliveryStatus.enumValues).nullable().openapi({ description: 'Channels: pending, sent, delivered, read or failed' }),
    author: authorOf.nullable(),
    sources: z.array(SourceSchema),
    // The measurements are absent on messages the widget streams before they are stored.
    model: z.string().nullable().optional(),
    latencyMs: z.number().nullable().optional(),
    timeToFirstTokenMs: z.number().nullable().optional(),
    inputTokens: z.number().nullable().optional(),
    outputTokens: z.number().nullable().optional(),
    isFallback: z.boolean().optional(),
    quickReplies: z.array(QuickReplySchema).optional(),
  })
  .openapi('Message');

const ContactSchema = createSelectSchema(contacts)
  .pick({ id: true, name: true, email: true, phone: true })
  .extend({
    // Present on the inbox's views, absent on a chatbot's conversation list.
    externalId: z.string().optional(),
    attributes: ContactAttributesSchema.optional(),
  });

export const ConversationSchema = createSelectSchema(conversations, {
  lastMessageAt: isoTimestampOrNull,
  firstResponseAt: isoTimestampOrNull,
  handedOffAt: isoTimestampOrNull,
  resolvedAt: isoTimestampOrNull,
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
})
  .pick({
    id: true,
    botId: true,
    channel: true,
    status: true,
    priority: true,
    handoffReason: true,
    assigneeId: true,
    tags: true,
    rating: true,
    feedback: true,
    unreadCount: true,
    messageCount: true,
    lastMessageAt: true,
    lastMessagePreview: true,
    firstResponseAt: true,
    handedOffAt: true,
    resolvedAt: true,
    createdAt: true,
    updatedAt: true,
  })
  .extend({
    handoff: z.enum(HANDOFF_STATES).openapi({ description: '`requested`: waiting for a person; `human`: a person has it and the bot is silent' }),
    bot: z.object({ id: z.uuid(), name: z.string() }).nullable(),
    assignee: z.object({ id: z.uuid(), name: z.string() }).nullable(),
    contact: ContactSchema,
  })
  .openapi('Conversation');

export const ConversationDetailSchema = ConversationSchema.extend({ messages: z.array(MessageSchema) }).openapi('ConversationDetail');

export const ConversationPageSchema = z.object({ data: z.array(ConversationSchema), nextCursor: z.string().nullable() });
export const MessagePageSchema = z.object({ data: z.array(MessageSchema), nextCursor: z.string().nullable() });

export const InboxCountsSchema = z.object({
  open: z.number(),
  pending: z.number(),
  unread: z.number(),
  handoffRequested: z.number(),
  mine: z.number(),
  unassigned: z.number(),
});

export const InboxQuery = CursorQuerySchema.extend({
  status: z.enum(STATUSES).optional(),
  channel: z.enum(CHANNELS).optional(),
  bot_id: z.uuid().optional(),
  assignee: z
    .union([z.literal('me'), z.literal('unassigned'), z.uuid()])
    .optional()
    .openapi({ description: '`me`, `unassigned` or a user id' }),
  tag: z.string().max(50).optional(),
  priority: z.enum(PRIORITIES).optional(),
  handoff: z.enum(HANDOFF_STATES).optional(),
  unread: z.enum(['true', 'false']).optional(),
  q: z.string().max(200).optional().openapi({ description: 'Text in the contact\u2019s name, email or phone, or in any message' }),
});

export const StartConversationBody = z.object({
  botId: z.uuid(),
  contact: z
    .object({
      externalId: z.string().min(1).max(200).optional().openapi({ description: 'Your id for this person; the same id continues with the same contact' }),
      name: z.string().max(200).optional(),
      email: z.email().max(255).optional(),
      phone: z.string().max(32).optional(),
    })
    .default({}),
  message: z.string().trim().min(1).max(MAX_AGENT_MESSAGE).optional().openapi({ description: 'The contact\u2019s first message; the bot answers it' }),
});

const TagsSchema = z.array(z.string().max(50)).max(20);

export const UpdateConversationBody = z
  .object({
    status: z.enum(STATUSES).optional(),
    priority: z.enum(PRIORITIES).optional(),
    assigneeId: z.uuid().nullable().optional(),
    tags: TagsSchema.optional(),
    handoff: z.enum(['human', 'bot']).optional().openapi({ description: '`human`: take over from the bot; `bot`: hand back' }),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'Nothing to change' });

export const StatusBody = z.object({ status: z.enum(STATUSES) });
export const PriorityBody = z.object({ priority: z.enum(PRIORITIES) });
export const TagsBody = z.object({ tags: TagsSchema });
export const AssignBody = z.object({ assigneeId: z.uuid().nullable().openapi({ description: 'A member of the organization, or null to unassign' }) });

export const MessagesQuery = CursorQuerySchema.extend({ limit: z.coerce.number().int().min(1).max(200).default(50) });

export const PostMessageBody = z.object({
  content: z.string().trim().min(1).max(MAX_AGENT_MESSAGE),
  private: z.boolean().optional().openapi({ description: 'A private note for the team; the contact never sees it' }),
});

export const ExportQuery = z.object({ format: z.enum(EXPORT_FORMATS).default('json') });

/** `format=csv`: one row per message, RFC 4180, UTF-8 with a BOM. */
export const ConversationCsvSchema = z.string().openapi({
  description: 'Header `created_at,role,author,content,content_type,delivery_status,model,sources`, then one row per message',
});
/** `format=txt`: a readable transcript. */
export const ConversationTranscriptSchema = z.string().openapi({ description: 'A header (contact, channel, bot, status), then `[time] speaker: text` per message' });
