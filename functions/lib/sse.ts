import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ChatEvent } from '../core/chat/engine';
import { logError } from './log';

/**
 * Streams chat events as Server-Sent Events: `event: <type>` and the rest as JSON data. If the
 * generator throws, the client still gets an `error` event before the stream ends.
 */
export function streamChatEvents(c: Context, events: AsyncGenerator<ChatEvent>) {
  c.header('Cache-Control', 'no-store');
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(c, async (stream) => {
    try {
      for await (const event of events) {
        // Who holds the conversation is the inbox's business, not the visitor's.
        const { type, ...data } = event.type === 'done' ? { ...event, handoff: undefined } : event;
        await stream.writeSSE({ event: type, data: JSON.stringify(data) });
      }
    } catch (error) {
      logError('chat stream failed', error);
      await stream.writeSSE({ event: 'error', data: JSON.stringify({ code: 'internal_error', message: 'The answer was interrupted; please try again' }) });
    }
  });
}
