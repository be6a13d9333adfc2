import type { MessageEventData } from '../conversations/events';
import type { PublicConversation } from '../conversations/read';
import type { EventType, OrgEvent } from '../events/types';
import type { documentEventData } from '../ingest/document-events';

/**
 * What a receiver gets: the event envelope, the same object the dashboard's live stream carries
 * (`id` is stable across endpoints and retries, so receivers dedupe on it). Built in this key
 * order every time: stored as jsonb, the payload comes back with its keys reordered.
 */
export interface WebhookBody<Data = Record<string, unknown>, Type extends string = string> {
  id: string;
  type: Type;
  createdAt: string;
  organizationId: string;
  data: Data;
}

export function webhookBody<Data, Type extends string = string>(
  event: (Pick<OrgEvent<Data>, 'id' | 'createdAt' | 'organizationId' | 'data'> & { type: Type }) | WebhookBody<Data, Type>,
): WebhookBody<Data, Type> {
  return { id: event.id, type: event.type, createdAt: event.createdAt, organizationId: event.organizationId, data: event.data };
}

/**
 * The `data` of every event a webhook can carry, as its publishers build it (a stored payload is
 * one of these; the API documents them in routes/webhooks.schemas.ts).
 */
export type WebhookEventData =
  | { conversationId: string; channel: string }
  | { conversationId: string; conversation: Partial<PublicConversation> & { id: string }; changes: string[] }
  | { conversationId: string; reason: string; conversation: Pick<PublicConversation, 'id' | 'botId' | 'channel' | 'status' | 'assigneeId' | 'handoff'> }
  | Pick<MessageEventData, 'conversationId' | 'message'>
  | ReturnType<typeof documentEventData>
  | { webhookId: string; message: string };

/** Every event type a delivery can carry: the organization's events and the dashboard's test. */
export type WebhookPayloadType = EventType | 'webhook.test';
