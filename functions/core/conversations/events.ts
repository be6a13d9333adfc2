import { eq } from 'drizzle-orm';
import { users, type messages } from '../../../db/schema';
import type { Services } from '../../ports';
import { toPublicMessage, type PublicMessage } from '../chat/public-message';
import { publishEvent } from '../events/publish';

/**
 * The conversation events every writer publishes the same way. Messages a visitor should see
 * live (agents' replies, system notes such as "an agent joined") also go to the conversation's
 * own stream, which the widget listens to; the bot's answers reach the widget in the chat stream.
 */
type MessageRow = typeof messages.$inferSelect;

export interface MessageEventData extends Record<string, unknown> {
  conversationId: string;
  message: PublicMessage & {
    authorUserId: string | null;
    /** An agent's reply: who wrote it, by first name (what the visitor sees above the bubble). */
    author?: { name: string };
    channel: MessageRow['channel'];
    deliveryStatus: MessageRow['deliveryStatus'];
    contentType: string;
  };
}

export function messageEventData(row: MessageRow, authorName?: string | null): MessageEventData {
  return {
    conversationId: row.conversationId,
    message: {
      ...toPublicMessage(row),
      authorUserId: row.authorUserId,
      ...(authorName ? { author: { name: firstName(authorName) } } : {}),
      channel: row.channel,
      deliveryStatus: row.deliveryStatus,
      contentType: row.contentType,
    },
  };
}

/** Visitors see an agent by first name, as the "Ana joined" notice already introduces them. */
export function firstName(name: string) {
  return name.trim().split(/\s+/)[0] ?? name;
}

async function authorNameOf(services: Services, row: MessageRow) {
  if (row.role !== 'agent' || !row.authorUserId) return null;
  const [author] = await services.db.select({ name: users.name }).from(users).where(eq(users.id, row.authorUserId));
  return author?.name ?? null;
}

/** `toVisitor`: a bot answer given after the chat request ended (crash recovery) reaches the widget this way. */
export async function publishMessageCreated(services: Services, row: MessageRow, options: { toVisitor?: boolean } = {}) {
  const visible = row.role === 'agent' || row.role === 'system' || options.toVisitor === true;
  return publishEvent(services, row.organizationId, 'message.created', messageEventData(row, await authorNameOf(services, row)), {
    ...(visible ? { visitorConversationId: row.conversationId } : {}),
    // Private notes are internal: never sent to outside systems.
    webhooks: row.role !== 'note',
  });
}

export function publishMessageFailed(services: Services, row: MessageRow) {
  return publishEvent(services, row.organizationId, 'message.failed', messageEventData(row));
}

/** What changed on a conversation, with the new values (status, assignee, handoff…). */
export function publishConversationUpdated(
  services: Services,
  organizationId: string,
  conversation: Record<string, unknown> & { id: string },
  changes: string[],
) {
  return publishEvent(
    services,
    organizationId,
    'conversation.updated',
    { conversationId: conversation.id, conversation, changes },
    // The widget shows "resolved" and "an agent joined" states too.
    { visitorConversationId: conversation.id },
  );
}
