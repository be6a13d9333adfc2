import type { EventSubscriber, Services } from '../../ports';
import { conversationStreamKey, orgStreamKey } from './publish';

/**
 * The live stream subscriber: appends each event to the organization's stream (the dashboard's
 * live inbox) and, when the visitor should see it, to the conversation's stream (agent replies
 * reach the widget), then pushes the appended entry to the stream's connected clients
 * (`services.live`: a Durable Object per stream at the edge). The log write is awaited before the
 * push, so a client reconnecting right after finds the event either way.
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
    const writes = [appendAndPush(services, orgStreamKey(event.organizationId), json, ORG_STREAM_MAX)];
    if (options.visitorConversationId) {
      writes.push(appendAndPush(services, conversationStreamKey(options.visitorConversationId), json, CONVERSATION_STREAM_MAX));
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

async function appendAndPush(services: Services, key: string, data: string, maxLen: number) {
  const id = await services.kv.streamAppend(key, data, { maxLen, ttlSeconds: STREAM_TTL_SECONDS });
  await services.live?.notify(key, { id, data });
}
