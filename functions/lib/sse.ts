import type { Context } from 'hono';
import type { AppEnv } from './env';
import { streamSSE } from 'hono/streaming';
import type { ChatEvent } from '../core/chat/engine';
import { capacityFailure } from './capacity';
import { logError } from './log';

/**
 * Streams chat events as Server-Sent Events: `event: <type>` and the rest as JSON data. If the
 * generator throws, the client still gets an `error` event before the stream ends, and nothing
 * is lost:
 * - before the question was stored (no `message` event yet) and the database was only busy, the
 *   event says `overloaded` with `retryAfterSeconds`: the client sends the same text again (the
 *   status line was already 200, so this is the stream's 503);
 * - after it was stored, a late answer is queued at once (the `chat-reply` job the recovery sweep
 *   would queue minutes later; the same deduplication id keeps it to one) and the event says
 *   `answerQueued`: the client waits for the answer on its event stream instead of sending the
 *   question twice.
 */
export function streamChatEvents(c: Context<AppEnv>, events: AsyncGenerator<ChatEvent>) {
  c.header('Cache-Control', 'no-store');
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(c, async (stream) => {
    let questionId: string | null = null;
    try {
      for await (const event of events) {
        // Who holds the conversation is the inbox's business, not the visitor's.
        const { type, ...data } = event.type === 'done' ? { ...event, handoff: undefined } : event;
        if (event.type === 'message') questionId = event.message.id;
        await stream.writeSSE({ event: type, data: JSON.stringify(data) });
      }
    } catch (error) {
      const busy = questionId ? null : capacityFailure(error);
      logError(busy ? 'chat refused: database busy' : 'chat stream failed', error);
      const body = busy
        ? { code: busy.code, message: busy.message, retryAfterSeconds: (busy.details as { retryAfterSeconds: number }).retryAfterSeconds }
        : questionId && (await queueLateAnswer(c, questionId))
          ? { code: 'internal_error', message: 'The answer was interrupted; it will arrive here shortly', answerQueued: true }
          : { code: 'internal_error', message: 'The answer was interrupted; please try again' };
      await stream.writeSSE({ event: 'error', data: JSON.stringify(body) });
    }
  });
}

/** A few seconds' delay lets a busy database recover before the job tries again. */
const LATE_ANSWER_DELAY_SECONDS = 5;

async function queueLateAnswer(c: Context<AppEnv>, messageId: string): Promise<boolean> {
  try {
    await c.get('services').queue.enqueue('chat-reply', { messageId }, { delaySeconds: LATE_ANSWER_DELAY_SECONDS });
    return true;
  } catch (error) {
    logError('late answer not queued (the recovery sweep will find the question)', error);
    return false;
  }
}
