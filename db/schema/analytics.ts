import { date, doublePrecision, index, integer, jsonb, pgTable, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from './columns';
import { organizations } from './tenancy';
import { bots } from './bots';
import { channelKindEnum } from './conversations';

/** Tokens, answers and estimated cost of one model on one day. */
export interface ModelUsage {
  messages: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/**
 * Daily roll-up per organization, bot and channel, on the organization's local day, written by
 * the scheduled job (idempotent: a re-run replaces the day). Times are kept as sums and counts,
 * not averages, so any range adds up exactly; `responseHistogram` (bucket upper bound in ms ->
 * answers) gives percentiles over a range.
 */
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
    channel: channelKindEnum('channel').notNull(),
    day: date('day').notNull(),
    conversations: integer('conversations').notNull().default(0),
    resolvedConversations: integer('resolved_conversations').notNull().default(0),
    botResolved: integer('bot_resolved').notNull().default(0),
    handoffs: integer('handoffs').notNull().default(0),
    messages: integer('messages').notNull().default(0),
    userMessages: integer('user_messages').notNull().default(0),
    botMessages: integer('bot_messages').notNull().default(0),
    agentMessages: integer('agent_messages').notNull().default(0),
    uniqueContacts: integer('unique_contacts').notNull().default(0),
    failedAnswers: integer('failed_answers').notNull().default(0),
    knowledgeGaps: integer('knowledge_gaps').notNull().default(0),
    firstResponseCount: integer('first_response_count').notNull().default(0),
    firstResponseMsSum: doublePrecision('first_response_ms_sum').notNull().default(0),
    botResponseCount: integer('bot_response_count').notNull().default(0),
    botResponseMsSum: doublePrecision('bot_response_ms_sum').notNull().default(0),
    humanResponseCount: integer('human_response_count').notNull().default(0),
    humanResponseMsSum: doublePrecision('human_response_ms_sum').notNull().default(0),
    firstTokenCount: integer('first_token_count').notNull().default(0),
    firstTokenMsSum: doublePrecision('first_token_ms_sum').notNull().default(0),
    responseHistogram: jsonb('response_histogram').$type<Record<string, number>>().notNull().default({}),
    ratingsCount: integer('ratings_count').notNull().default(0),
    ratingsSum: integer('ratings_sum').notNull().default(0),
    /** Ratings by star ("1".."5") -> count. */
    ratingDistribution: jsonb('rating_distribution').$type<Record<string, number>>().notNull().default({}),
    thumbsUp: integer('thumbs_up').notNull().default(0),
    thumbsDown: integer('thumbs_down').notNull().default(0),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    costUsd: doublePrecision('cost_usd').notNull().default(0),
    models: jsonb('models').$type<Record<string, ModelUsage>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('daily_metrics_org_bot_channel_day_key').on(t.organizationId, t.botId, t.channel, t.day),
    index('daily_metrics_org_day_idx').on(t.organizationId, t.day),
  ],
);
