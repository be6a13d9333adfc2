import { eq } from 'drizzle-orm';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { contacts, messages } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import { parseSse, startFakeOpenAI, type FakeOpenAI } from '../../testing/fake-openai';
import { createTestApi, type TestApi } from '../../testing/harness';
import { createAdmission } from './admission';

/** A POST whose body never comes (headers only): what the server answers before reading it. */
function headersOnly(url: string, authorization: string) {
  return new Promise<{ status: number; retryAfter: string | undefined; body: string }>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '1000', authorization } });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, body });
        req.destroy();
      });
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

describe('admission controller', () => {
  it('runs up to the limit, queues the next turns in order, and refuses past the queue', async () => {
    const admission = createAdmission({ maxConcurrent: 2, initialConcurrent: 2, maxQueue: 1, maxWaitMs: 60_000 });
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

  it('refuses synchronously, so a caller can refuse before it awaits anything', () => {
    const admission = createAdmission({ maxConcurrent: 1, maxQueue: 0, maxWaitMs: 1000 });
    void admission.admit();
    expect(() => admission.admit()).toThrow(ApiError);
  });

  it('refuses at once when the expected wait is over the limit, even with room in the queue', async () => {
    const admission = createAdmission({ maxConcurrent: 1, maxQueue: 100, maxWaitMs: 1000, initialTurnMs: 5000 });
    await admission.enter();
    const error = await admission.enter().catch((e: unknown) => e);
    expect((error as ApiError).code).toBe('overloaded');
    expect((error as ApiError).headers?.['Retry-After']).toBe('5');
  });

  it('never refuses a queued turn later: it gets the next free slot however long the running one takes', async () => {
    let clock = 0;
    const admission = createAdmission({ maxConcurrent: 1, maxQueue: 1, maxWaitMs: 60_000, now: () => clock });
    const running = await admission.enter();
    let queuedRelease: (() => void) | undefined;
    const queued = admission.enter().then((release) => (queuedRelease = release));
    clock += 600_000;
    running();
    await queued;
    expect(queuedRelease).toBeTypeOf('function');
    expect(admission.stats()).toMatchObject({ active: 1, queued: 0, refused: 0 });
  });

  it('learns its limit: grows while turns finish within the target and the limit is reached, shrinks when they run late', async () => {
    let clock = 0;
    const admission = createAdmission({ maxConcurrent: 50, initialConcurrent: 2, maxQueue: 0, maxWaitMs: 1, targetTurnMs: 1000, now: () => clock });
    const fill = async () => {
      const releases: Array<() => void> = [];
      while (admission.stats().active < Math.floor(admission.stats().limit)) releases.push(await admission.admit());
      return releases;
    };
    // Fast turns at the limit: it grows.
    for (let round = 0; round < 5; round++) {
      const releases = await fill();
      clock += 100;
      for (const release of releases) release();
    }
    const grown = admission.stats().limit;
    expect(grown).toBeGreaterThan(2);
    // Late turns: it shrinks, at most once per turn duration.
    for (let round = 0; round < 3; round++) {
      const releases = await fill();
      clock += 5000;
      for (const release of releases) release();
    }
    expect(admission.stats().limit).toBeLessThan(grown);
    expect(admission.stats().limit).toBeGreaterThanOrEqual(1);
  });

  it('shrinks the limit while the runtime is congested, however fast turns are, and grows again once it is not', async () => {
    let clock = 0;
    let congested = true;
    const admission = createAdmission({ maxConcurrent: 50, initialConcurrent: 8, maxQueue: 0, maxWaitMs: 1, targetTurnMs: 1000, congested: () => congested, now: () => clock });
    const fastRound = async () => {
      const releases: Array<() => void> = [];
      while (admission.stats().active < Math.floor(admission.stats().limit)) releases.push(await admission.admit());
      clock += 100;
      for (const release of releases) release();
      clock += 1000;
    };
    for (let round = 0; round < 4; round++) await fastRound();
    const shrunk = admission.stats().limit;
    expect(shrunk).toBeLessThan(8);
    congested = false;
    for (let round = 0; round < 4; round++) await fastRound();
    expect(admission.stats().limit).toBeGreaterThan(shrunk);
  });

  it('does not grow the limit while the server is idle (an untested limit is not a measured one)', async () => {
    let clock = 0;
    const admission = createAdmission({ maxConcurrent: 50, initialConcurrent: 4, maxQueue: 0, maxWaitMs: 1, targetTurnMs: 1000, now: () => clock });
    for (let i = 0; i < 20; i++) {
      const release = await admission.admit();
      clock += 10;
      release();
    }
    expect(admission.stats().limit).toBe(4);
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

  it('refuses at the door: before the body has arrived and before the session is checked', async () => {
    const user = await api.signUp();
    await api.createOrg(user);
    const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Door', model: 'compatible:slow', answerOnlyFromKnowledge: false } });
    await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: user.token });
    const path = `/api/v1/widget/${bot.body.id}/chat`;
    const a = (await api.call('POST', `/api/v1/widget/${bot.body.id}/session`, { body: {} })).body;
    let open!: () => void;
    llm.hold = new Promise((resolve) => (open = resolve));
    const requestsBefore = llm.requests.length;
    const first = fetch(`${api.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${a.sessionToken}` },
      body: JSON.stringify({ message: 'ocupa el único turno' }),
    });
    await vi.waitFor(() => expect(llm.requests.length).toBe(requestsBefore + 1), { timeout: 15_000 });

    // Headers only: the body never comes, and the session token is not even valid.
    const refused = await headersOnly(`${api.baseUrl}${path}`, 'Bearer not-a-session');
    expect(refused.status, refused.body).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'overloaded', message: expect.any(String), details: { retryAfterSeconds: expect.any(Number) } } });
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);

    // The OpenAI-compatible path refuses at the same door, in OpenAI's error shape, before the
    // key is checked or a conversation is looked up (or created) for its `user`.
    const contactsBefore = await api.runtime.services.db.select().from(contacts);
    const refusedApi = await headersOnly(`${api.baseUrl}/api/v1/openai/chat/completions`, 'Bearer vsk_not-a-key');
    expect(refusedApi.status, refusedApi.body).toBe(503);
    expect(JSON.parse(refusedApi.body)).toEqual({ error: { message: expect.any(String), type: 'server_error', param: null, code: 'overloaded' } });
    expect(Number(refusedApi.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(await api.runtime.services.db.select().from(contacts)).toEqual(contactsBefore);

    open();
    llm.hold = undefined;
    expect((await first).status).toBe(200);
  });
});

describe('widget chat with a full queue', () => {
  let api: TestApi;
  let llm: FakeOpenAI;

  beforeAll(async () => {
    llm = await startFakeOpenAI();
    api = await createTestApi({
      env: { COMPATIBLE_BASE_URL: llm.url, COMPATIBLE_MODELS: 'slow', CHAT_MAX_CONCURRENT: '1', CHAT_MAX_QUEUE: '1', CHAT_MAX_WAIT_MS: '600000' },
    });
  });
  afterAll(async () => {
    await api.close();
    await llm.close();
  });

  it('answers a message accepted into the queue (stored once), and refuses the one past it without storing it', async () => {
    const user = await api.signUp();
    await api.createOrg(user);
    const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Queue', model: 'compatible:slow', answerOnlyFromKnowledge: false } });
    await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: user.token });
    const path = (p: string) => `/api/v1/widget/${bot.body.id}${p}`;
    const [a, b, c] = await Promise.all([0, 1, 2].map(async () => (await api.call('POST', path('/session'), { body: {} })).body));
    const chat = (token: string, message: string) =>
      fetch(`${api.baseUrl}${path('/chat')}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ message }),
      });

    let open!: () => void;
    llm.hold = new Promise((resolve) => (open = resolve));
    const running = chat(a.sessionToken, 'la que se está contestando');
    await vi.waitFor(() => expect(llm.requests.length).toBe(1), { timeout: 15_000 });
    const queued = chat(b.sessionToken, 'la que espera en la cola');
    await vi.waitFor(() => expect(api.runtime.services.admission?.stats().queued).toBe(1), { timeout: 15_000 });

    const refused = await chat(c.sessionToken, 'la que no cabe');
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('overloaded');

    open();
    llm.hold = undefined;
    expect(parseSse(await (await running).text()).find((e) => e.event === 'done')?.data.message.content).toBe('Echo: la que se está contestando');
    const queuedResponse = await queued;
    expect(queuedResponse.status).toBe(200);
    expect(parseSse(await queuedResponse.text()).find((e) => e.event === 'done')?.data.message.content).toBe('Echo: la que espera en la cola');

    const stored = async (conversationId: string) =>
      (await api.runtime.services.db.select().from(messages).where(eq(messages.conversationId, conversationId))).filter((m) => m.role === 'user').map((m) => m.content);
    expect(await stored(b.conversationId)).toEqual(['la que espera en la cola']);
    expect(await stored(c.conversationId)).toEqual([]);
  });
});
