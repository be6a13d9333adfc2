import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ChatEvent } from '../core/chat/engine';
import { capacityFailure } from './capacity';
import { logError } from './log';

/**
 * Streams chat events as Server-Sent Events: `event: <type>` and the rest as JSON data. If the
 * generator throws, the client still gets an `error` event before the stream ends. When the
 * database was only busy and the question was not stored yet (no `message` event went out), the
 * event says `overloaded` with `retryAfterSeconds`, so the client sends the same text again
 * instead of losing it; the status line was already 200, so this is the stream's 503.
 */
export function streamChatEvents(c: Context, events: AsyncGenerator<ChatEvent>) {
  c.header('Cache-Control', 'no-store');
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(c, async (stream) => {
    let questionStored = false;
    try {
      for await (const event of events) {
        const { type, ...data } = event;
        if (type === 'message') questionStored = true;
        await stream.writeSSE({ event: type, data: JSON.stringify(data) });
      }
    } catch (error) {
      const busy = questionStored ? null : capacityFailure(error);
      logError(busy ? 'chat refused: database busy' : 'chat stream failed', error);
      const body = busy
        ? { code: busy.code, message: busy.message, retryAfterSeconds: (busy.details as { retryAfterSeconds: number }).retryAfterSeconds }
        : { code: 'internal_error', message: 'The answer was interrupted; please try again' };
      await stream.writeSSE({ event: 'error', data: JSON.stringify(body) });
    }
  });
}
