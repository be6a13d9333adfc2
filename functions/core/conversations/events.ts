import type { messages } from '../../../db/schema';
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
  message: PublicMessage & { authorUserId: string | null; channel: string; deliveryStatus: string | null; contentType: string };
}

export function messageEventData(row: MessageRow): MessageEventData {
  return {
    conversationId: row.conversationId,
    message: { ...toPublicMessage(row), authorUserId: row.authorUserId, channel: row.channel, deliveryStatus: row.deliveryStatus, contentType: row.contentType },
  };
}

/** `toVisitor`: a bot answer given after the chat request ended (crash recovery) reaches the widget this way. */
export function publishMessageCreated(services: Services, row: MessageRow, options: { toVisitor?: boolean } = {}) {
  const visible = row.role === 'agent' || row.role === 'system' || options.toVisitor === true;
  return publishEvent(services, row.organizationId, 'message.created', messageEventData(row), {
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
