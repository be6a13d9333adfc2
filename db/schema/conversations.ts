import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgEnum, pgTable, smallint, text, uniqueIndex, uuid, varchar, boolean } from 'drizzle-orm/pg-core';
import { createdAt, id, ts, updatedAt } from './columns';
import { organizations, users } from './tenancy';
import { bots } from './bots';
import { channels } from './channels';

export const channelKindEnum = pgEnum('channel_kind', ['web', 'whatsapp', 'messenger', 'instagram', 'telegram', 'api', 'playground', 'email', 'slack', 'discord']);

/** One person on one channel (a widget visitor, a WhatsApp number, a Telegram user). */
export const contacts = pgTable(
  'contacts',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    channel: channelKindEnum('channel').notNull(),
    /** Platform id of the person (session id, phone number, PSID, chat id). */
    externalId: varchar('external_id', { length: 255 }).notNull(),
    name: varchar('name', { length: 200 }),
    email: varchar('email', { length: 255 }),
    phone: varchar('phone', { length: 32 }),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    lastSeenAt: ts('last_seen_at'),
    /**
     * Set when an agent merged this person into another contact: the row stays as the channel
     * identity (organization, channel, external id), so their next message lands on the kept one.
     */
    mergedIntoId: uuid('merged_into_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('contacts_org_channel_external_key').on(t.organizationId, t.channel, t.externalId),
    index('contacts_merged_into_idx').on(t.mergedIntoId).where(sql`merged_into_id is not null`),
  ],
);

export const conversationStatusEnum = pgEnum('conversation_status', ['open', 'pending', 'resolved', 'closed']);
export const priorityEnum = pgEnum('conversation_priority', ['low', 'medium', 'high', 'urgent']);
export const handoffStateEnum = pgEnum('handoff_state', ['bot', 'requested', 'human']);

export const conversations = pgTable(
  'conversations',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    botId: uuid('bot_id')
      .notNull()
      .references(() => bots.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id').references(() => channels.id, { onDelete: 'set null' }),
    channel: channelKindEnum('channel').notNull(),
    status: conversationStatusEnum('status').notNull().default('open'),
    priority: priorityEnum('priority').notNull().default('medium'),
    assigneeId: uuid('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    tags: text('tags').array().notNull().default([]),
    handoff: handoffStateEnum('handoff').notNull().default('bot'),
    rating: smallint('rating'),
    feedback: text('feedback'),
    unreadCount: integer('unread_count').notNull().default(0),
    messageCount: integer('message_count').notNull().default(0),
    lastMessageAt: ts('last_message_at'),
    lastMessagePreview: text('last_message_preview'),
    resolvedAt: ts('resolved_at'),
    /** When the conversation first left the bot (requested or taken by a human); analytics' "handed off". */
    handedOffAt: ts('handed_off_at'),
    handoffReason: text('handoff_reason'),
    /** First reply to the contact, by the bot or a person (first-response time). */
    firstResponseAt: ts('first_response_at'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('conversations_org_last_idx').on(t.organizationId, t.lastMessageAt),
    index('conversations_org_status_idx').on(t.organizationId, t.status, t.lastMessageAt),
    index('conversations_bot_idx').on(t.botId, t.createdAt),
    index('conversations_contact_idx').on(t.contactId),
    index('conversations_assignee_idx').on(t.organizationId, t.assigneeId),
    index('conversations_org_created_idx').on(t.organizationId, t.createdAt),
    // Two first messages from a new contact at the same moment make one conversation: the
    // webhook's insert meets this index and takes the row the other one made (inbound.ts).
    uniqueIndex('conversations_one_open_per_channel_key')
      .on(t.contactId, t.channelId, t.botId)
      .where(sql`channel_id is not null and status in ('open', 'pending')`),
  ],
);

export const messageRoleEnum = pgEnum('message_role', ['user', 'assistant', 'agent', 'system', 'note']);
export const deliveryStatusEnum = pgEnum('delivery_status', ['pending', 'sent', 'delivered', 'read', 'failed']);

export interface MessageSource {
  documentId: string;
  chunkId: string;
  score: number;
  title?: string;
  url?: string;
}

export const messages = pgTable(
  'messages',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    role: messageRoleEnum('role').notNull(),
    content: text('content').notNull(),
    /** text, image, audio, video, document, location, contacts, interactive, sticker, system… */
    contentType: varchar('content_type', { length: 32 }).notNull().default('text'),
    /** Channel details: media ids and captions, coordinates, button payloads, edits, raw type. */
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    /** The user message this one answers (one bot reply per inbound message on channels). */
    replyToId: uuid('reply_to_id'),
    authorUserId: uuid('author_user_id').references(() => users.id, { onDelete: 'set null' }),
    channel: channelKindEnum('channel').notNull(),
    /** Platform message id; Meta and Telegram redeliver, so it is our idempotency key per channel. */
    externalId: varchar('external_id', { length: 255 }),
    deliveryStatus: deliveryStatusEnum('delivery_status'),
    sources: jsonb('sources').$type<MessageSource[]>().notNull().default([]),
    model: varchar('model', { length: 100 }),
    inputTokens: integer('input_tokens'),
    outputTokens: integer('output_tokens'),
    latencyMs: integer('latency_ms'),
    timeToFirstTokenMs: integer('time_to_first_token_ms'),
    finishReason: varchar('finish_reason', { length: 32 }),
    error: text('error'),
    isFallback: boolean('is_fallback').notNull().default(false),
    /** Visitor's thumbs up (1) or down (-1) on an answer. */
    feedback: smallint('feedback'),
    createdAt: createdAt(),
  },
  (t) => [
    index('messages_conversation_created_idx').on(t.conversationId, t.createdAt),
    index('messages_org_created_idx').on(t.organizationId, t.createdAt),
    // Partial (not null): every chat turn inserts two messages, and web, API and bot messages have
    // no platform id, so they skip this index instead of each adding an entry nothing looks up.
    uniqueIndex('messages_channel_external_key').on(t.organizationId, t.channel, t.externalId).where(sql`external_id is not null`),
    uniqueIndex('messages_one_bot_reply_key').on(t.replyToId).where(sql`role = 'assistant'`),
    // The unanswered-question sweep (core/chat/recovery.ts, every few minutes and at start) looks
    // across organizations at the last day's visitor messages and for any reply to each: without
    // these it read every message of every organization (a million rows held the one local
    // connection, and the event loop, for seconds).
    // Lookups are by equality (a reply to this message), so the visitor messages' nulls stay out.
    index('messages_reply_to_idx').on(t.replyToId).where(sql`reply_to_id is not null`),
    index('messages_user_created_idx').on(t.createdAt).where(sql`role = 'user'`),
  ],
);
