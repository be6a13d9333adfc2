import type { EventSubscriber } from '../../ports';
import { conversationStreamKey, orgStreamKey } from './publish';

/**
 * The live stream subscriber: appends each event to the organization's stream (the dashboard's
 * live inbox) and, when the visitor should see it, to the conversation's stream (agent replies
 * reach the widget). Awaited by the publisher, so an SSE client reconnecting right after finds it.
 */
const ORG_STREAM_MAX = 2000;
const CONVERSATION_STREAM_MAX = 200;
/** Streams expire a day after their last event; an SSE client older than that reloads. */
const STREAM_TTL_SECONDS = 86_400;

export const liveStreamSubscriber: EventSubscriber = {
  name: 'live-stream',
  timing: 'inline',
  async deliver(services, event, options) {
    const json = JSON.stringify(event);
    const writes: Array<Promise<unknown>> = [
      services.kv.streamAppend(orgStreamKey(event.organizationId), json, { maxLen: ORG_STREAM_MAX, ttlSeconds: STREAM_TTL_SECONDS }),
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
      console.error(JSON.stringify({ level: 'error', message: 'event stream append failed', type: event.type, error: (error as Error).message }));
    }
  },
};
