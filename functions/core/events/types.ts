/**
 * Organization events: what the live inbox stream carries and what outgoing webhooks deliver.
 * One envelope for both, so a webhook receiver and the dashboard see the same objects.
 */
export const EVENT_TYPES = [
  'conversation.created',
  'conversation.updated',
  'conversation.handoff',
  'message.created',
  'message.updated',
  'message.failed',
  'document.ready',
  'document.failed',
  /** A flow's webhook node: `data.event` is the flow's own event name, `data.variables` what it chose. */
  'flow.event',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Events that can be subscribed to by outgoing webhooks (all of them today). */
export const WEBHOOK_EVENT_TYPES: readonly EventType[] = EVENT_TYPES;

export interface OrgEvent<T = Record<string, unknown>> {
  /** Stable id (`evt_…`): the same on the stream, in every webhook delivery and each retry. */
  id: string;
  type: EventType;
  organizationId: string;
  /** ISO time the event happened. */
  createdAt: string;
  data: T;
}

export interface PublishOptions {
  /** Also deliver to the widget listening on this conversation. */
  visitorConversationId?: string;
  /** Skip outgoing webhooks (events only the dashboard cares about, like read markers). */
  webhooks?: boolean;
}
