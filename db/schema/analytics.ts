import { date, index, integer, pgTable, real, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from './columns';
import { organizations } from './tenancy';
import { bots } from './bots';

/** Daily roll-up per organization and bot, written by the scheduled job. */
export const dailyMetrics = pgTable(
  'daily_metrics',
  {
    id: id(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    botId: uuid('bot_id')
      .notNull()
      .references(() => bots.id, { onDelete: 'cascade' }),
    day: date('day').notNull(),
    conversations: integer('conversations').notNull().default(0),
    messages: integer('messages').notNull().default(0),
    uniqueContacts: integer('unique_contacts').notNull().default(0),
    handoffs: integer('handoffs').notNull().default(0),
    resolved: integer('resolved').notNull().default(0),
    avgLatencyMs: real('avg_latency_ms'),
    avgFirstTokenMs: real('avg_first_token_ms'),
    avgRating: real('avg_rating'),
    ratings: integer('ratings').notNull().default(0),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('daily_metrics_org_bot_day_key').on(t.organizationId, t.botId, t.day),
    index('daily_metrics_org_day_idx').on(t.organizationId, t.day),
  ],
);
