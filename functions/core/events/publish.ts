import type { Services } from '../../ports';
import type { EventType, OrgEvent, PublishOptions } from './types';

/**
 * Publishing an event: hand it to the subscribers the runtime registered at startup
 * (`services.eventSubscribers`, listed in functions/event-subscribers.ts): the organization's live
 * stream, outgoing webhooks, and whatever listens next. This module imports none of them.
 * Inline subscribers are awaited (an SSE client that reconnects right after must find the event);
 * background ones run after the response, so a slow webhook receiver never slows a chat.
 */
export type { PublishOptions };

/** Where the live streams are: the stream subscriber writes them, the SSE routes read them. */
export const orgStreamKey = (organizationId: string) => `events:org:${organizationId}`;
export const conversationStreamKey = (conversationId: string) => `events:conv:${conversationId}`;

export function newEventId() {
  return `evt_${crypto.randomUUID().replaceAll('-', '')}`;
}

export async function publishEvent<T extends Record<string, unknown>>(
  services: Services,
  organizationId: string,
  type: EventType,
  data: T,
  options: PublishOptions = {},
): Promise<OrgEvent<T>> {
  const event: OrgEvent<T> = { id: newEventId(), type, organizationId, createdAt: new Date().toISOString(), data };
  const subscribers = services.eventSubscribers;
  // Background deliveries start first, in the same turn as the inline ones, so their first reads
  // (the webhook subscriptions) share a KV round trip with the stream append at the edge.
  for (const subscriber of subscribers) {
    if (subscriber.timing === 'background') services.waitUntil(subscriber.deliver(services, event, options));
  }
  await Promise.all(subscribers.filter((s) => s.timing === 'inline').map((s) => deliverInline(services, s, event, options)));
  return event;
}

/** The database already holds the truth: a listener's failure must not fail the request that changed it. */
async function deliverInline(services: Services, subscriber: Services['eventSubscribers'][number], event: OrgEvent, options: PublishOptions) {
  try {
    await subscriber.deliver(services, event, options);
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', message: `event subscriber ${subscriber.name} failed`, type: event.type, error: (error as Error).message }));
  }
}
