import { and, isNotNull, ne, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { conversations } from '../../../db/schema';

/**
 * Which conversations are the organization's customers talking: the one rule behind the inbox
 * list and its counts, the overview, the bot list's counts, analytics, reports and the daily
 * roll-up. Playground chats are the team testing its bot, and a widget opened without writing is
 * not a conversation yet.
 */
export const TEST_CHANNEL = 'playground' as const;

/** Whether a channel carries customer conversations (not the playground). */
export function isCustomerChannel(channel: string): boolean {
  return channel !== TEST_CHANNEL;
}

/** The rule on the `conversations` table, for drizzle queries. */
export function customerConversation(): SQL {
  return and(ne(conversations.channel, TEST_CHANNEL), isNotNull(conversations.lastMessageAt))!;
}

/** The channel half of the rule on any channel column (roll-up rows carry no conversation). */
export function customerChannel(column: AnyPgColumn): SQL {
  return ne(column, TEST_CHANNEL);
}

/** The rule in raw SQL for a `conversations` row under `alias` (analytics statements). */
export function customerConversationSql(alias: string): SQL {
  return sql.raw(`${alias}.channel <> '${TEST_CHANNEL}' and ${alias}.last_message_at is not null`);
}
