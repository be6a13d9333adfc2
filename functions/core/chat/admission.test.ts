import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { messages } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import { parseSse, startFakeOpenAI, type FakeOpenAI } from '../../testing/fake-openai';
import { createTestApi, type TestApi } from '../../testing/harness';
import { createAdmission } from './admission';

describe('admission controller', () => {
  it('runs up to maxConcurrent turns, queues the next ones in order, and refuses past the queue', async () => {
    const admission = createAdmission({ maxConcurrent: 2, maxQueue: 1, maxWaitMs: 60_000 });
    const first = await admission.enter();
    await admission.enter();
    const order: string[] = [];
    const queued = admission.enter().then((release) => (order.push('queued'), release));
    const refused = await admission.enter().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(503);
    expect((refused as ApiError).code).toBe('overloaded');
    expect(Number((refused as ApiError).headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(admission.stats()).toMatchObject({ active: 2, queued: 1, refused: 1 });
    first();
    first(); // a second release of the same slot is ignored
    (await queued)();
    expect(order).toEqual(['queued']);
    expect(admission.stats()).toMatchObject({ active: 1, queued: 0 });
  });

  it('refuses at once when the expected wait is over the limit, even with room in the queue', async () => {
    const admission = createAdmission({ maxConcurrent: 1, maxQueue: 100, maxWaitMs: 1000, initialTurnMs: 5000 });
    await admission.enter();
    const error = await admission.enter().catch((e: unknown) => e);
    expect((error as ApiError).code).toBe('overloaded');
    expect((error as ApiError).headers?.['Retry-After']).toBe('5');
  });
});

describe('widget chat under overload', () => {
  let api: TestApi;
  let llm: FakeOpenAI;

  beforeAll(async () => {
    llm = await startFakeOpenAI();
    api = await createTestApi({
      env: { COMPATIBLE_BASE_URL: llm.url, COMPATIBLE_MODELS: 'slow', CHAT_MAX_CONCURRENT: '1', CHAT_MAX_QUEUE: '0' },
    });
  });
  afterAll(async () => {
    await api.close();
    await llm.close();
  });

  it('refuses with 503 overloaded and Retry-After before storing the message, then answers the retry once', async () => {
    const user = await api.signUp();
    await api.createOrg(user);
    const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Busy', model: 'compatible:slow', answerOnlyFromKnowledge: false } });
    expect(bot.status, bot.text).toBe(201);
    expect((await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: user.token })).status).toBe(200);
    const path = (p: string) => `/api/v1/widget/${bot.body.id}${p}`;
    const a = (await api.call('POST', path('/session'), { body: {} })).body;
    const b = (await api.call('POST', path('/session'), { body: {} })).body;

    let open!: () => void;
    llm.hold = new Promise((resolve) => (open = resolve));
    const chat = (token: string, message: string) =>
      fetch(`${api.baseUrl}${path('/chat')}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ message }),
      });
    const first = await chat(a.sessionToken, 'primera pregunta');
    expect(first.status).toBe(200);
    await vi.waitFor(() => expect(llm.requests.length).toBe(1), { timeout: 15_000 });

    const refused = await chat(b.sessionToken, 'segunda pregunta');
    const body = (await refused.json()) as { error: unknown };
    expect(refused.status, JSON.stringify(body)).toBe(503);
    expect(body.error).toMatchObject({ code: 'overloaded', details: { retryAfterSeconds: expect.any(Number) } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const stored = await api.runtime.services.db.select().from(messages).where(eq(messages.conversationId, b.conversationId));
    expect(stored).toEqual([]);

    open();
    llm.hold = undefined;
    const firstEvents = parseSse(await first.text());
    expect(firstEvents.find((e) => e.event === 'done')?.data.message.content).toBe('Echo: primera pregunta');

    const retried = await chat(b.sessionToken, 'segunda pregunta');
    expect(retried.status).toBe(200);
    expect(parseSse(await retried.text()).find((e) => e.event === 'done')?.data.message.content).toBe('Echo: segunda pregunta');
    const after = await api.runtime.services.db.select().from(messages).where(eq(messages.conversationId, b.conversationId));
    expect(after.filter((m) => m.role === 'user').map((m) => m.content)).toEqual(['segunda pregunta']);
  });
});
