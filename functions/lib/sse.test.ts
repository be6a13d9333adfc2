import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../core/chat/engine';
import type { AppEnv } from './env';
import { streamChatEvents, takeEventFrames } from './sse';

/** A chat's event frames are found from its response without reading its body, and only once. */
async function* oneToken(): AsyncGenerator<ChatEvent> {
  yield { type: 'token', text: 'hola' };
}

function chatApp(wrap = false) {
  const app = new Hono<AppEnv>();
  if (wrap) {
    // A middleware that makes a new response around the handler's (as a finalized `c.header` does).
    app.use(async (c, next) => {
      await next();
      c.res = new Response(c.res.body, c.res);
    });
  }
  app.post('/chat', (c) => streamChatEvents(c, oneToken()));
  return app;
}

async function drain(frames: AsyncGenerator<string>) {
  const out: string[] = [];
  for await (const frame of frames) out.push(frame);
  return out;
}

describe('takeEventFrames', () => {
  it('takes the frames by the response itself, never touching its body, and only once', async () => {
    const response = await chatApp().request('/chat', { method: 'POST' });
    Object.defineProperty(response, 'body', {
      configurable: true,
      get() {
        throw new Error('the body was read');
      },
    });
    const frames = takeEventFrames(response);
    expect(frames).toBeDefined();
    expect(await drain(frames!)).toEqual(['event: token\ndata: {"text":"hola"}\n\n']);
    delete (response as { body?: unknown }).body;
    expect(takeEventFrames(response)).toBeUndefined();
  });

  it('finds them by the body when a middleware made a new response around it', async () => {
    const response = await chatApp(true).request('/chat', { method: 'POST' });
    const frames = takeEventFrames(response);
    expect(frames).toBeDefined();
    expect(await drain(frames!)).toHaveLength(1);
    expect(takeEventFrames(response)).toBeUndefined();
  });

  it('finds none in any other response', async () => {
    const app = new Hono();
    app.get('/plain', (c) => c.text('hola'));
    app.get('/events', (c) => c.body(new ReadableStream(), 200, { 'Content-Type': 'text/event-stream' }));
    expect(takeEventFrames(await app.request('/plain'))).toBeUndefined();
    expect(takeEventFrames(await app.request('/events'))).toBeUndefined();
  });
});
