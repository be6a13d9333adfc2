import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { messages } from '../../../db/schema';
import { createHttpServer } from '../../server';
import { parseSse, startFakeOpenAI, type FakeOpenAI } from '../../testing/fake-openai';
import { createTestApi, type TestApi } from '../../testing/harness';

let api: TestApi;
let llm: FakeOpenAI;

beforeAll(async () => {
  llm = await startFakeOpenAI();
  api = await createTestApi({ env: { COMPATIBLE_BASE_URL: llm.url, COMPATIBLE_MODELS: 'slow' } });
});
afterAll(async () => {
  await api.close();
  await llm.close();
});

/**
 * The same app behind a Node server of the test's own, recording what each accepted socket hands
 * the kernel: one entry per write (a corked batch is one `_writev`).
 */
async function recordingServer() {
  const writes: string[] = [];
  const server: Server = createHttpServer(api.runtime, (_req, res) => res.writeHead(404).end());
  server.on('connection', (socket: Socket) => {
    const raw = socket as Socket & { _write: Function; _writev: Function };
    const write = raw._write.bind(socket);
    const writev = raw._writev.bind(socket);
    raw._write = (chunk: Buffer | string, encoding: BufferEncoding, done: () => void) => {
      writes.push(String(chunk));
      return write(chunk, encoding, done);
    };
    raw._writev = (chunks: Array<{ chunk: Buffer | string }>, done: () => void) => {
      writes.push(chunks.map((c) => String(c.chunk)).join(''));
      return writev(chunks, done);
    };
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  onTestFinished(() => new Promise<void>((done) => server.close(() => done())));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, writes };
}

async function liveBot(model: string) {
  const user = await api.signUp();
  await api.createOrg(user);
  const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Eco', model, answerOnlyFromKnowledge: false } });
  expect(bot.status, bot.text).toBe(201);
  expect((await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: user.token })).status).toBe(200);
  const session = await api.call('POST', `/api/v1/widget/${bot.body.id}/session`, { body: {} });
  return { botId: bot.body.id as string, sessionToken: session.body.sessionToken as string, conversationId: session.body.conversationId as string };
}

function chat(base: string, botId: string, sessionToken: string, message: string, signal?: AbortSignal) {
  return fetch(`${base}/api/v1/widget/${botId}/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${sessionToken}` },
    body: JSON.stringify({ message }),
    signal,
  });
}

describe('chat answers on the Node server', () => {
  it('send the status line with the first event, then every event in order, and end the stream', async () => {
    const { base, writes } = await recordingServer();
    const { botId, sessionToken } = await liveBot('builtin:extractive');
    const res = await chat(base, botId, sessionToken, '¿Hay alguien ahí?');
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const events = parseSse(text);
    expect(events[0]?.event, text).toBe('message');
    expect(events.at(-1)?.event, text).toBe('done');
    expect(events.filter((e) => e.event === 'done')).toHaveLength(1);
    expect(events.at(-1)?.data.message.content.length).toBeGreaterThan(0);
    // One write for the head and the stored question, not the head alone and the event after it.
    expect(writes[0], JSON.stringify(writes)).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n[0-9a-f]+\r\nevent: message\n/);
    // The chunked body's end leaves with the last event.
    expect(writes.at(-1), JSON.stringify(writes)).toMatch(/event: done\n[\s\S]*0\r\n\r\n$/);
  });

  it("a flow's reply, whole at once, leaves with `done` and the stream's end in one write", async () => {
    const { base, writes } = await recordingServer();
    const user = await api.signUp();
    await api.createOrg(user);
    const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Flujo', model: 'builtin:extractive' } });
    expect((await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: user.token })).status).toBe(200);
    const flow = await api.call('POST', `/api/v1/chatbots/${bot.body.id}/flows`, { token: user.token, body: { name: 'Leads', template: 'lead_capture' } });
    expect(flow.status, flow.text).toBe(201);
    expect((await api.call('POST', `/api/v1/chatbots/${bot.body.id}/flows/${flow.body.id}/publish`, { token: user.token })).status).toBe(201);
    const session = await api.call('POST', `/api/v1/widget/${bot.body.id}/session`, { body: {} });
    const res = await chat(base, bot.body.id, session.body.sessionToken, 'hola');
    const text = await res.text();
    const events = parseSse(text);
    expect(events.map((e) => e.event), text).toEqual(['message', 'token', 'done']);
    expect(events[1]?.data.text).toBe(events[2]?.data.message.content);
    expect(writes[0], JSON.stringify(writes)).toMatch(/event: message\n/);
    expect(writes[0], JSON.stringify(writes)).not.toMatch(/event: token/);
    expect(writes.at(-1), JSON.stringify(writes)).toMatch(/^[0-9a-f]+\r\nevent: token\n[\s\S]*event: done\n[\s\S]*0\r\n\r\n$/);
  });

  it('a visitor who leaves mid-answer still gets the answer stored', async () => {
    const { base } = await recordingServer();
    const { botId, sessionToken, conversationId } = await liveBot('compatible:slow');
    let open!: () => void;
    llm.hold = new Promise((resolve) => (open = resolve));
    onTestFinished(() => {
      open();
      llm.hold = undefined;
    });
    const leaving = new AbortController();
    const res = await chat(base, botId, sessionToken, 'me voy antes de la respuesta', leaving.signal);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('event: message');
    leaving.abort();
    open();
    await vi.waitFor(
      async () => {
        const stored = await api.runtime.services.db
          .select({ id: messages.id })
          .from(messages)
          .where(and(eq(messages.conversationId, conversationId), eq(messages.role, 'assistant')));
        expect(stored).toHaveLength(1);
      },
      { timeout: 30_000, interval: 100 },
    );
  });
});
