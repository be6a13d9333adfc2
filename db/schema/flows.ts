import { sql } from 'drizzle-orm';
import { boolean, date, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import type { FlowDocument } from '../../functions/core/flows/schema';
import { createdAt, id, updatedAt } from './columns';
import { organizations, users } from './tenancy';
import { bots } from './bots';
import { conversations } from './conversations';

/**
 * Visual flows: a bot's flows (the editable draft), their published versions (immutable JSON the
 * runtime executes), each conversation's position in a flow, the organization's secrets that API
 * calls reference by name, and per-node counters for the canvas' analytics.
 */
export const flows = pgTable(
  'flows',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    botId: uuid('bot_id')
      .notNull()
      .references(() => bots.id, { onDelete: 'cascade' }),
    name: varchar('name', { length: 120 }).notNull(),
    description: text('description').notNull().default(''),
    /** The bot's entry flow: answers every conversation of the bot once published. */
    isEntry: boolean('is_entry').notNull().default(false),
    draft: jsonb('draft').$type<FlowDocument>().notNull(),
    /** Bumped by every save, so two editors cannot overwrite each other silently. */
    draftRevision: integer('draft_revision').notNull().default(1),
    publishedVersion: integer('published_version'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('flows_org_bot_idx').on(t.organizationId, t.botId),
    // At most one entry flow per bot.
    uniqueIndex('flows_one_entry_per_bot_key').on(t.botId).where(sql`is_entry`),
  ],
);

export const flowVersions = pgTable(
  'flow_versions',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    flowId: uuid('flow_id')
      .notNull()
      .references(() => flows.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    document: jsonb('document').$type<FlowDocument>().notNull(),
    publishedBy: uuid('published_by').references(() => users.id, { onDelete: 'set null' }),
    publishedAt: createdAt(),
  },
  (t) => [uniqueIndex('flow_versions_flow_version_key').on(t.flowId, t.version)],
);

/** Where a conversation is in its flow; read and written once per incoming message. */
export const flowSessions = pgTable(
  'flow_sessions',
  {
    conversationId: uuid('conversation_id')
      .primaryKey()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    flowId: uuid('flow_id')
      .notNull()
      .references(() => flows.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    /** running | waiting | completed | handed_off | stopped */
    status: varchar('status', { length: 16 }).notNull(),
    /** The runtime's state (current node, variables, retries, what it waits for). */
    state: jsonb('state').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('flow_sessions_flow_idx').on(t.flowId, t.updatedAt)],
);

export const orgSecrets = pgTable(
  'org_secrets',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: varchar('name', { length: 100 }).notNull(),
    /** AES-GCM with ENCRYPTION_KEY (lib/crypto.ts); never returned by the API. */
    valueEncrypted: text('value_encrypted').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('org_secrets_org_name_key').on(t.organizationId, t.name)],
);

/** How many conversations reached each node, per day (the canvas' analytics). */
export const flowNodeCounts = pgTable(
  'flow_node_counts',
  {
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    flowId: uuid('flow_id')
      .notNull()
      .references(() => flows.id, { onDelete: 'cascade' }),
    nodeId: varchar('node_id', { length: 64 }).notNull(),
    day: date('day').notNull(),
    reached: integer('reached').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.nodeId, t.day] })],
);

export type FlowRow = typeof flows.$inferSelect;
export type FlowVersionRow = typeof flowVersions.$inferSelect;
export type FlowSessionRow = typeof flowSessions.$inferSelect;
