import type { Context } from 'hono';
import type { AppEnv } from './env';
import type { ChatEvent } from '../core/chat/engine';
import { capacityFailure } from './capacity';
import { logError } from './log';

const encoder = new TextEncoder();

/**
 * The frames behind the event-stream responses made here, by response and by body. A runtime that
 * can write them to its socket itself (Node: adapters/local/event-stream.ts) takes them and never
 * reads the body: no web streams between the turn and the socket, and the status line leaves with
 * the first event in one write instead of alone before it. By response first: on Node, reading a
 * response's `body` turns @hono/node-server's light Response into a full web one (its headers
 * converted and sorted again) for nothing; by body when a middleware made a new response around it.
 */
interface FrameSource {
  frames: AsyncGenerator<string>;
  keys: object[];
}
const frameSources = new WeakMap<object, FrameSource>();

/** The frames of an event-stream response made by `streamChatEvents`, once; undefined for any other response. */
export function takeEventFrames(response: Response): AsyncGenerator<string> | undefined {
  const source = frameSources.get(response) ?? (isEventStream(response) && response.body ? frameSources.get(response.body) : undefined);
  if (!source) return undefined;
  for (const key of source.keys) frameSources.delete(key);
  return source.frames;
}

function isEventStream(response: Response) {
  return response.headers.get('content-type')?.startsWith('text/event-stream') === true;
}

/** What Hono's `streamSSE` sends; the rest of the platform's event streams still go through it. */
const EVENT_STREAM_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  'Transfer-Encoding': 'chunked',
  'X-Accel-Buffering': 'no',
};

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** A chat stream's `done` frame: the turn's last event, after which it sends nothing. */
export function isDoneFrame(value: string): boolean {
  return value.startsWith('event: done\n');
}

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
  const frames = chatFrames(c, events);
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await frames.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      // The client went away: the turn still runs to its end, so its answer is stored and reaches
      // the inbox (and the visitor's history) as if it had been read.
      async cancel() {
        while (!(await frames.next()).done);
      },
    },
    { highWaterMark: 0 },
  );
  const response = c.body(body, 200, EVENT_STREAM_HEADERS);
  const source: FrameSource = { frames, keys: [body, response] };
  for (const key of source.keys) frameSources.set(key, source);
  return response;
}

async function* chatFrames(c: Context<AppEnv>, events: AsyncGenerator<ChatEvent>): AsyncGenerator<string> {
  let questionId: string | null = null;
  try {
    for await (const event of events) {
      // Who holds the conversation is the inbox's business, not the visitor's.
      const { type, ...data } = event.type === 'done' ? { ...event, handoff: undefined } : event;
      if (event.type === 'message') questionId = event.message.id;
      yield frame(type, data);
    }
  } catch (error) {
    const busy = questionId ? null : capacityFailure(error);
    logError(busy ? 'chat refused: database busy' : 'chat stream failed', error);
    const body = busy
      ? { code: busy.code, message: busy.message, retryAfterSeconds: (busy.details as { retryAfterSeconds: number }).retryAfterSeconds }
      : questionId && (await queueLateAnswer(c, questionId))
        ? { code: 'internal_error', message: 'The answer was interrupted; it will arrive here shortly', answerQueued: true }
        : { code: 'internal_error', message: 'The answer was interrupted; please try again' };
    yield frame('error', body);
  }
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
