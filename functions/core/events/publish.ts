import type { Services } from '../../ports';
import { notifyWebhooks } from '../webhooks/dispatch';
import type { EventType, OrgEvent } from './types';

/**
 * Publishing an event: append it to the organization's stream (the dashboard's live inbox), to
 * the conversation's stream when the visitor should see it (agent replies reach the widget), and
 * hand it to outgoing webhooks. Stream writes are awaited (an SSE client that reconnects right
 * after must find the event); webhooks run after the response so a slow receiver never slows
 * a chat.
 */
const ORG_STREAM_MAX = 2000;
const CONVERSATION_STREAM_MAX = 200;
/** Streams expire a day after their last event; an SSE client older than that reloads. */
const STREAM_TTL_SECONDS = 86_400;

export const orgStreamKey = (organizationId: string) => `events:org:${organizationId}`;
export const conversationStreamKey = (conversationId: string) => `events:conv:${conversationId}`;

export interface PublishOptions {
  /** Also deliver to the widget listening on this conversation. */
  visitorConversationId?: string;
  /** Skip outgoing webhooks (events only the dashboard cares about, like read markers). */
  webhooks?: boolean;
}

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
  const json = JSON.stringify(event);
  const writes: Array<Promise<unknown>> = [
    services.kv.streamAppend(orgStreamKey(organizationId), json, { maxLen: ORG_STREAM_MAX, ttlSeconds: STREAM_TTL_SECONDS }),
  ];
  if (options.visitorConversationId) {
    writes.push(
      services.kv.streamAppend(conversationStreamKey(options.visitorConversationId), json, {
        maxLen: CONVERSATION_STREAM_MAX,
        ttlSeconds: STREAM_TTL_SECONDS,
      }),
    );
  }
  try {
    await Promise.all(writes);
  } catch (error) {
    // The stream is a live view; the database already holds the truth, so a cache outage must not
    // fail the request that changed it. Dashboards resync on reconnect.
    console.error(JSON.stringify({ level: 'error', message: 'event stream append failed', type, error: (error as Error).message }));
  }
  if (options.webhooks !== false) services.waitUntil(notifyWebhooks(services, event));
  return event;
}
