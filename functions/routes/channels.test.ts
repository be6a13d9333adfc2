import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { channels, messages } from '../../db/schema';
import instagramFixtures from '../core/channels/fixtures/instagram.json';
import messengerFixtures from '../core/channels/fixtures/messenger.json';
import telegramFixtures from '../core/channels/fixtures/telegram.json';
import whatsappFixtures from '../core/channels/fixtures/whatsapp.json';
import { signMetaPayload } from '../core/channels/meta';
import { APP_SECRET, CHANNEL_CREDENTIALS, CUSTOMER, useChannelSuite, type MessagingPlatform } from '../testing/channel-suite';
import { OUTAGE, type FakePlatforms } from '../testing/fake-platforms';
import type { TestApi, TestUser } from '../testing/harness';

/**
 * Channel webhooks end to end: the real app over HTTP, the platforms faked on loopback. Each test
 * makes its own organization, bot and integration; the fake's record is reset between tests.
 */
const suite = useChannelSuite();
let api: TestApi;
let fake: FakePlatforms;
beforeAll(() => ({ api, fake } = suite));

type Platform = MessagingPlatform;
const CREDENTIALS = CHANNEL_CREDENTIALS;
const FIXTURES = { whatsapp: whatsappFixtures, messenger: messengerFixtures, instagram: instagramFixtures, telegram: telegramFixtures } as const;
const RECIPIENT = CUSTOMER;
const KNOWLEDGE = 'Opening hours: the shop opens Monday to Saturday from 10:00 to 20:00. On Sunday the shop is closed.';

interface Channel {
  user: TestUser;
  orgId: string;
  botId: string;
  integrationId: string;
  platform: Platform;
}

async function liveBot(user: TestUser, settings: Record<string, unknown> = {}) {
  const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: user.token, body: { name: 'Help' } });
  await api.call('POST', `/api/v1/knowledge-bases/${kb.body.id}/documents`, { token: user.token, body: { type: 'text', name: 'Hours', text: KNOWLEDGE } });
  await api.runtime.queue.drain();
  const bot = await api.call('POST', '/api/v1/chatbots', {
    token: user.token,
    body: { name: 'Sol', model: 'builtin:extractive', language: 'en', knowledgeBaseIds: [kb.body.id], welcomeMessage: 'Hi! I am Sol, ask me anything.', ...settings },
  });
  expect(bot.status, bot.text).toBe(201);
  const deployed = await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: user.token });
  expect(deployed.status, deployed.text).toBe(200);
  return bot.body.id as string;
}

async function connectedChannel(platform: Platform, options: { settings?: Record<string, unknown>; deploy?: boolean } = {}): Promise<Channel> {
  const user = await api.signUp();
  const org = await api.createOrg(user);
  const botId = await liveBot(user);
  // Messenger's connect checks that the token is the page's own.
  if (platform === 'messenger') fake.setPage(CREDENTIALS.messenger.pageAccessToken, { id: CREDENTIALS.messenger.pageId, name: 'Acme Page' });
  const created = await api.call('POST', '/api/v1/integrations', {
    token: user.token,
    body: { platform, name: `${platform} channel`, botId, credentials: CREDENTIALS[platform], ...(options.settings ? { settings: options.settings } : {}) },
  });
  expect(created.status, created.text).toBe(201);
  const connected = await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: user.token });
  expect(connected.status, connected.text).toBe(200);
  expect(connected.body.status).toBe('connected');
  return { user, orgId: org.id, botId, integrationId: created.body.id, platform };
}

const hookPath = (channel: Pick<Channel, 'platform' | 'integrationId'>) => `/api/v1/channels/${channel.platform}/${channel.integrationId}`;

/** Delivers a payload the way the platform does: Meta signs the raw body, Telegram sends our secret token. */
async function deliver(channel: Channel, payload: unknown, options: { raw?: string; headers?: Record<string, string> } = {}) {
  const raw = options.raw ?? JSON.stringify(payload);
  const headers: Record<string, string> = {};
  if (channel.platform === 'telegram') {
    const hook = fake.telegramWebhook(CREDENTIALS.telegram.botToken);
    headers['x-telegram-bot-api-secret-token'] = hook?.secretToken ?? 'none';
  } else {
    headers['x-hub-signature-256'] = await signMetaPayload(APP_SECRET, raw);
  }
  return api.call('POST', hookPath(channel), { rawBody: raw, headers: { ...headers, ...options.headers } });
}

const textFixture = (platform: Platform) => FIXTURES[platform].text;

async function storedMessages(orgId: string) {
  return api.runtime.services.db.select().from(messages).where(eq(messages.organizationId, orgId)).orderBy(messages.createdAt);
}

async function integrationRow(id: string) {
  const [row] = await api.runtime.services.db.select().from(channels).where(eq(channels.id, id));
  return row;
}

/** Runs queued jobs until nothing is due (retries with a zero delay included). */
const drain = () => api.runtime.queue.drain();

function expectSendRequest(platform: Platform, request: (typeof fake.requests)[number], text: string) {
  const version = api.runtime.config.META_GRAPH_API_VERSION;
  expect(request.method).toBe('POST');
  expect(request.headers['content-type']).toMatch(/^application\/json/);
  if (platform === 'whatsapp') {
    expect(request.path).toBe(`/${version}/${CREDENTIALS.whatsapp.phoneNumberId}/messages`);
    expect(request.headers.authorization).toBe(`Bearer ${CREDENTIALS.whatsapp.accessToken}`);
    expect(request.body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: RECIPIENT.whatsapp, type: 'text', text: { body: text, preview_url: false } });
  } else if (platform === 'telegram') {
    expect(request.path).toBe(`/bot${CREDENTIALS.telegram.botToken}/sendMessage`);
    expect(request.body).toMatchObject({ chat_id: RECIPIENT.telegram, text });
  } else {
    expect(request.path).toBe(`/${version}/me/messages`);
    expect(request.headers.authorization).toBe(`Bearer ${CREDENTIALS[platform].pageAccessToken}`);
    expect(request.body).toEqual({ recipient: { id: RECIPIENT[platform] }, messaging_type: 'RESPONSE', message: { text } });
  }
}

describe.each(['whatsapp', 'messenger', 'instagram', 'telegram'] as const)('%s end to end', (platform) => {
  it('connect -> inbound message -> bot reply sent -> in the inbox -> agent reply sent', async () => {
    const channel = await connectedChannel(platform);

    const inbound = await deliver(channel, textFixture(platform));
    expect(inbound.status, inbound.text).toBe(200);
    expect(inbound.body).toMatchObject({ ok: true, stored: 1, duplicates: 0 });
    // The answer is a job: nothing was sent while the webhook was being answered.
    expect(fake.sent()).toHaveLength(0);

    await drain();
    const [reply] = fake.sent();
    expect(reply, JSON.stringify(fake.requests)).toBeDefined();
    const stored = await storedMessages(channel.orgId);
    const answer = stored.find((m) => m.role === 'assistant')!;
    expect(answer.content).toContain('10:00 to 20:00');
    expectSendRequest(platform, reply, answer.content);
    expect(answer).toMatchObject({ deliveryStatus: 'sent', error: null });
    expect(answer.externalId).toBeTruthy();

    const inbox = await api.call('GET', `/api/v1/conversations?channel=${platform}`, { token: channel.user.token });
    expect(inbox.status, inbox.text).toBe(200);
    expect(inbox.body.data).toHaveLength(1);
    const conversationId = inbox.body.data[0].id;
    expect(inbox.body.data[0].contact.externalId).toBe(RECIPIENT[platform]);
    const detail = await api.call('GET', `/api/v1/conversations/${conversationId}`, { token: channel.user.token });
    expect(detail.body.messages.map((m: { role: string; deliveryStatus: string | null }) => [m.role, m.deliveryStatus])).toEqual([
      ['user', null],
      ['assistant', 'sent'],
    ]);

    const agentReply = await api.call('POST', `/api/v1/conversations/${conversationId}/messages`, {
      token: channel.user.token,
      body: { content: 'Hello, this is Marta from the shop. How can I help?' },
    });
    expect(agentReply.status, agentReply.text).toBe(201);
    await drain();
    const sent = fake.sent();
    expect(sent).toHaveLength(2);
    expectSendRequest(platform, sent[1], 'Hello, this is Marta from the shop. How can I help?');
    const after = await api.call('GET', `/api/v1/conversations/${conversationId}`, { token: channel.user.token });
    expect(after.body.messages.at(-1)).toMatchObject({ role: 'agent', deliveryStatus: 'sent' });
    expect((await integrationRow(channel.integrationId)).lastMessageAt).not.toBeNull();
  });
});

/** The customer's text message, saying something else. */
function textSaying(platform: Platform, text: string, id: string): unknown {
  const payload = structuredClone(textFixture(platform)) as any;
  if (platform === 'whatsapp') Object.assign(payload.entry[0].changes[0].value.messages[0], { id, text: { body: text } });
  else if (platform === 'telegram') {
    payload.update_id += 1;
    Object.assign(payload.message, { message_id: Number(id), text });
  } else Object.assign(payload.entry[0].messaging[0].message, { mid: id, text });
  return payload;
}

/** A tap on one of the buttons we sent, as each platform reports it. */
function tapOn(platform: Platform, sent: (typeof fake.requests)[number], buttonId: string, label: string): unknown {
  if (platform === 'whatsapp') {
    const payload = structuredClone(textFixture('whatsapp')) as any;
    payload.entry[0].changes[0].value.messages[0] = {
      from: RECIPIENT.whatsapp,
      id: 'wamid.TAP1',
      timestamp: '1749416500',
      type: 'interactive',
      interactive: { type: 'button_reply', button_reply: { id: buttonId, title: label } },
    };
    return payload;
  }
  if (platform === 'telegram') {
    const callback = structuredClone(telegramFixtures.callback) as any;
    callback.callback_query.data = buttonId;
    callback.callback_query.message.reply_markup = sent.body.reply_markup;
    return callback;
  }
  return textSayingQuickReply(platform, label, buttonId);
}

function textSayingQuickReply(platform: 'messenger' | 'instagram', label: string, payloadId: string) {
  const payload = textSaying(platform, label, `m_TAP_${platform}`) as any;
  payload.entry[0].messaging[0].message.quick_reply = { payload: payloadId };
  return payload;
}

function expectButtons(platform: Platform, request: (typeof fake.requests)[number]) {
  const yes = { id: 'handoff.yes', label: 'Yes, a person' };
  const no = { id: 'handoff.no', label: 'No, thanks' };
  if (platform === 'whatsapp') {
    expect(request.body).toMatchObject({
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: expect.stringContaining('Would you like to talk to a person?') },
        action: { buttons: [{ type: 'reply', reply: { id: yes.id, title: yes.label } }, { type: 'reply', reply: { id: no.id, title: no.label } }] },
      },
    });
  } else if (platform === 'telegram') {
    expect(request.body.reply_markup).toEqual({ inline_keyboard: [[{ text: yes.label, callback_data: yes.id }, { text: no.label, callback_data: no.id }]] });
  } else {
    expect(request.body.message.quick_replies).toEqual([
      { content_type: 'text', title: yes.label, payload: yes.id },
      { content_type: 'text', title: no.label, payload: no.id },
    ]);
  }
}

describe.each(['whatsapp', 'messenger', 'instagram', 'telegram'] as const)('%s: the offer of a person', (platform) => {
  it('the fallback goes out with its buttons, and a tap on "yes" hands the conversation off', async () => {
    const channel = await connectedChannel(platform);
    const asked = await deliver(channel, textSaying(platform, 'xyzzy plugh quux', platform === 'telegram' ? '1366' : `m_UNKNOWN_${platform}`));
    expect(asked.status, asked.text).toBe(200);
    await drain();
    const [offer] = fake.sent();
    expect(offer, JSON.stringify(fake.requests)).toBeDefined();
    expectButtons(platform, offer);

    const tapped = await deliver(channel, tapOn(platform, offer, 'handoff.yes', 'Yes, a person'));
    expect(tapped.status, tapped.text).toBe(200);
    await drain();
    const replies = fake.sent();
    expect(replies).toHaveLength(2);
    const text = platform === 'whatsapp' ? replies[1].body.text?.body : platform === 'telegram' ? replies[1].body.text : replies[1].body.message.text;
    expect(text).toMatch(/passing you to a person/);
    const inbox = await api.call('GET', `/api/v1/conversations?channel=${platform}&handoff=requested`, { token: channel.user.token });
    expect(inbox.body.data, inbox.text).toHaveLength(1);
    expect(inbox.body.data[0]).toMatchObject({ handoffReason: 'visitor_request' });
  });
});

describe('verification before anything else', () => {
  it('a tampered, unsigned or wrongly signed Meta payload -> 401 and nothing stored', async () => {
    const channel = await connectedChannel('whatsapp');
    const raw = JSON.stringify(whatsappFixtures.text);
    const signature = await signMetaPayload(APP_SECRET, raw);
    const tampered = raw.replace('What are your opening hours?', 'Send me every customer record');
    const attempts: Array<{ rawBody: string; headers: Record<string, string> }> = [
      { rawBody: tampered, headers: { 'x-hub-signature-256': signature } },
      { rawBody: raw, headers: {} },
      { rawBody: raw, headers: { 'x-hub-signature-256': await signMetaPayload('not-the-app-secret-000000', raw) } },
      { rawBody: raw, headers: { 'x-hub-signature-256': signature.replace('sha256=', 'sha1=') } },
    ];
    for (const attempt of attempts) {
      const res = await api.call('POST', hookPath(channel), attempt);
      expect(res.status, res.text).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
    expect(await storedMessages(channel.orgId)).toHaveLength(0);
    await drain();
    expect(fake.sent()).toHaveLength(0);
  });

  it('a Telegram update without our secret token -> 401 and nothing stored', async () => {
    const channel = await connectedChannel('telegram');
    for (const headers of [{}, { 'x-telegram-bot-api-secret-token': 'guessed-secret' }] as Array<Record<string, string>>) {
      const res = await api.call('POST', hookPath(channel), { body: telegramFixtures.text, headers });
      expect(res.status, res.text).toBe(401);
    }
    expect(await storedMessages(channel.orgId)).toHaveLength(0);
  });

  it('Meta’s GET handshake echoes the challenge only for the integration’s verify token', async () => {
    const user = await api.signUp();
    await api.createOrg(user);
    const botId = await liveBot(user);
    const created = await api.call('POST', '/api/v1/integrations', {
      token: user.token,
      body: { platform: 'messenger', name: 'Page', botId, credentials: { ...CREDENTIALS.messenger, verifyToken: 'my-verify-token-42' } },
    });
    // Meta verifies the URL when it is saved, which may come before connect.
    const path = `/api/v1/channels/messenger/${created.body.id}`;
    const ok = await fetch(`${api.baseUrl}${path}?hub.mode=subscribe&hub.verify_token=my-verify-token-42&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await api.call('GET', `${path}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444`);
    expect(wrong.status).toBe(403);
    expect(wrong.raw).not.toContain('1158201444');
    const noMode = await api.call('GET', `${path}?hub.verify_token=my-verify-token-42&hub.challenge=1`);
    expect(noMode.status).toBe(403);
  });

  it('unknown platforms, ids and other platforms’ integrations -> 404', async () => {
    const channel = await connectedChannel('whatsapp');
    const raw = JSON.stringify(whatsappFixtures.text);
    const headers = { 'x-hub-signature-256': await signMetaPayload(APP_SECRET, raw) };
    for (const path of [
      `/api/v1/channels/messenger/${channel.integrationId}`,
      `/api/v1/channels/whatsapp/${crypto.randomUUID()}`,
      '/api/v1/channels/whatsapp/not-a-uuid',
      `/api/v1/channels/sms/${channel.integrationId}`,
    ]) {
      const res = await api.call('POST', path, { rawBody: raw, headers });
      expect(res.status, res.text).toBe(404);
    }
    expect(await storedMessages(channel.orgId)).toHaveLength(0);
  });
});

describe('idempotency and order', () => {
  it('the same payload delivered 5 times (some at once) -> one message, one reply', async () => {
    const channel = await connectedChannel('whatsapp');
    const first = await deliver(channel, whatsappFixtures.text);
    expect(first.body).toMatchObject({ stored: 1 });
    await deliver(channel, whatsappFixtures.text);
    const concurrent = await Promise.all([1, 2, 3].map(() => deliver(channel, whatsappFixtures.text)));
    expect(concurrent.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(concurrent.every((r) => r.body.duplicates === 1 && r.body.stored === 0)).toBe(true);
    await drain();
    await deliver(channel, whatsappFixtures.text);
    await drain();
    const stored = await storedMessages(channel.orgId);
    expect(stored.filter((m) => m.role === 'user')).toHaveLength(1);
    expect(stored.filter((m) => m.role === 'assistant')).toHaveLength(1);
    expect(fake.sent()).toHaveLength(1);
    // The send job itself is idempotent: a sent message is never sent again, whoever queues it.
    const answer = stored.find((m) => m.role === 'assistant')!;
    await api.runtime.queue.enqueue('send-channel-message', { messageId: answer.id }, { deduplicationId: `again:${answer.id}` });
    await api.runtime.queue.enqueue('channel-reply', { messageId: stored[0].id }, { deduplicationId: `again:${stored[0].id}` });
    await drain();
    expect(fake.sent()).toHaveLength(1);
  });

  it('several messages in one payload are all stored, in order, each answered once (stickers not; a reaction attaches to its message)', async () => {
    const channel = await connectedChannel('whatsapp');
    const res = await deliver(channel, whatsappFixtures.batch);
    expect(res.body).toMatchObject({ stored: 5 });
    const interactive = await deliver(channel, whatsappFixtures.interactive);
    // The reaction names a message we do not have: nothing to attach it to (channels-depth.test.ts covers the rest).
    expect(interactive.body).toMatchObject({ stored: 5, ignored: 1 });
    await drain();
    const users = (await storedMessages(channel.orgId)).filter((m) => m.role === 'user');
    expect(users.map((m) => m.externalId)).toEqual([
      'wamid.BATCH001',
      'wamid.BATCH002',
      'wamid.BATCH003',
      'wamid.BATCH004',
      'wamid.BATCH005',
      'wamid.INTERACTIVE1',
      'wamid.INTERACTIVE2',
      'wamid.BUTTON1',
      'wamid.STICKER1',
      'wamid.UNSUPPORTED1',
    ]);
    expect(users.map((m) => m.contentType)).toEqual(['image', 'audio', 'document', 'location', 'contacts', 'interactive', 'interactive', 'interactive', 'sticker', 'unsupported']);
    expect(users[0].metadata).toMatchObject({ media: { id: '1003383421387256', caption: 'This is the lamp I bought' }, rawType: 'image' });
    // Five media/location/contacts and three button replies are answered; the sticker and unsupported are not.
    expect(fake.sent()).toHaveLength(8);
  });

  it('messages from another phone number and unknown object types are acknowledged and ignored', async () => {
    const channel = await connectedChannel('whatsapp');
    for (const payload of [whatsappFixtures.otherNumber, whatsappFixtures.templateStatusUpdate, { object: 'user', entry: [] }, { hello: 'world' }, []]) {
      const res = await deliver(channel, payload);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ stored: 0 });
    }
    expect(await storedMessages(channel.orgId)).toHaveLength(0);
  });
});

describe('bad input is a 4xx or ignored, never a 500', () => {
  it('malformed JSON -> 400; a huge payload -> 413; nothing stored', async () => {
    const channel = await connectedChannel('messenger');
    const broken = await deliver(channel, null, { raw: '{"object":"page","entry":[' });
    expect(broken.status, broken.text).toBe(400);
    const notUtf8 = await api.call('POST', hookPath(channel), {
      rawBody: '\u00ff',
      headers: { 'x-hub-signature-256': await signMetaPayload(APP_SECRET, '\u00ff') },
    });
    expect(notUtf8.status).toBeLessThan(500);
    const huge = JSON.stringify({ object: 'page', entry: [{ id: '1234567890', messaging: [], padding: 'x'.repeat(api.runtime.config.MAX_JSON_BYTES) }] });
    // Connection: close, so the half-read socket is not reused by the next request.
    const tooBig = await deliver(channel, null, { raw: huge, headers: { connection: 'close' } });
    expect(tooBig.status, tooBig.text.slice(0, 300)).toBe(413);
    expect(await storedMessages(channel.orgId)).toHaveLength(0);
  });

  it('a disconnected integration acknowledges but stores nothing', async () => {
    const channel = await connectedChannel('telegram');
    const secret = fake.telegramWebhook(CREDENTIALS.telegram.botToken)!.secretToken;
    const off = await api.call('POST', `/api/v1/integrations/${channel.integrationId}/disconnect`, { token: channel.user.token });
    expect(off.status, off.text).toBe(200);
    expect(fake.requests.some((r) => r.endpoint === 'deleteWebhook')).toBe(true);
    const res = await api.call('POST', hookPath(channel), { body: telegramFixtures.text, headers: { 'x-telegram-bot-api-secret-token': secret } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stored: 0, ignored: 1 });
    expect(await storedMessages(channel.orgId)).toHaveLength(0);
  });
});

describe('replying', () => {
  it('platform API down -> retried, then failed with the reason; the inbound message is kept', async () => {
    const channel = await connectedChannel('whatsapp');
    fake.respond({ endpoint: /\/messages$/ }, OUTAGE);
    await deliver(channel, whatsappFixtures.text);
    await drain();
    // CHANNEL_SEND_MAX_ATTEMPTS is 3 here.
    expect(fake.sent()).toHaveLength(3);
    const stored = await storedMessages(channel.orgId);
    expect(stored.find((m) => m.role === 'user')).toMatchObject({ content: 'What are your opening hours?' });
    const answer = stored.find((m) => m.role === 'assistant')!;
    expect(answer.deliveryStatus).toBe('failed');
    expect(answer.error).toMatch(/Gave up after 3 attempts: Service temporarily unavailable/);
    const status = await api.call('GET', `/api/v1/integrations/${channel.integrationId}/status`, { token: channel.user.token });
    expect(status.body).toMatchObject({ status: 'connected', lastError: expect.stringMatching(/Gave up after 3 attempts/), last24h: { received: 1, failed: 1, sent: 0 } });
  });

  it('a 429 with Retry-After waits that long, then sends', async () => {
    const channel = await connectedChannel('telegram');
    fake.respond(
      { endpoint: 'sendMessage' },
      { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } }, headers: { 'Retry-After': '1' } },
      1,
    );
    await deliver(channel, telegramFixtures.text);
    await drain();
    const [pending] = (await storedMessages(channel.orgId)).filter((m) => m.role === 'assistant');
    expect(pending).toMatchObject({ deliveryStatus: 'pending', error: expect.stringContaining('retrying in 1 s') });
    const queued = (await api.runtime.services.db.execute(
      sql`select (extract(epoch from run_at - now()))::float8 as wait from local_jobs where name = 'send-channel-message' and status = 'pending'`,
    )) as unknown as { rows: Array<{ wait: number }> };
    expect(queued.rows).toHaveLength(1);
    expect(queued.rows[0].wait).toBeGreaterThan(0.3);
    await vi.waitFor(
      async () => {
        await drain();
        expect(fake.sent()).toHaveLength(2);
      },
      { timeout: 5000, interval: 100 },
    );
    const [sent] = (await storedMessages(channel.orgId)).filter((m) => m.role === 'assistant');
    expect(sent).toMatchObject({ deliveryStatus: 'sent', error: null });
    expect(fake.sent()).toHaveLength(2);
  });

  it('an expired token marks the message failed and the channel in error', async () => {
    const channel = await connectedChannel('messenger');
    fake.rejectToken(CREDENTIALS.messenger.pageAccessToken);
    await deliver(channel, messengerFixtures.text);
    await drain();
    expect(fake.sent()).toHaveLength(1);
    const answer = (await storedMessages(channel.orgId)).find((m) => m.role === 'assistant')!;
    expect(answer).toMatchObject({ deliveryStatus: 'failed', error: expect.stringContaining('access token is invalid or has expired') });
    expect(await integrationRow(channel.integrationId)).toMatchObject({ status: 'error', lastError: expect.stringContaining('Meta error 190') });
    // Customers keep reaching the inbox while an admin replaces the token.
    const batch = await deliver(channel, messengerFixtures.batch);
    expect(batch.body).toMatchObject({ stored: 5 });
  });

  it('long answers are split at the platform’s limit; a retry continues after the parts already sent', async () => {
    const channel = await connectedChannel('instagram');
    await deliver(channel, instagramFixtures.text);
    await drain();
    const conversationId = (await storedMessages(channel.orgId))[0].conversationId;
    fake.reset();
    // The second part fails once; only it is sent again.
    fake.respond({ endpoint: 'me/messages' }, { status: 200, body: { recipient_id: RECIPIENT.instagram, message_id: 'm_PART1' } }, 1);
    fake.respond({ endpoint: 'me/messages' }, OUTAGE, 1);
    const long = Array.from({ length: 12 }, (_, i) => `Párrafo ${i + 1}: la información de envío incluye plazos, costes y devoluciones según la región.`).join('\n\n');
    const posted = await api.call('POST', `/api/v1/conversations/${conversationId}/messages`, { token: channel.user.token, body: { content: long } });
    expect(posted.status, posted.text).toBe(201);
    await drain();
    const texts = fake.sent().map((r) => r.body.message.text as string);
    for (const text of texts) expect(new TextEncoder().encode(text).length).toBeLessThanOrEqual(1000);
    // Part 1 once, part 2 twice (failed, retried), then the rest.
    expect(texts[1]).toBe(texts[2]);
    expect(new Set(texts).size).toBe(texts.length - 1);
    expect([...new Set(texts)].join('\n\n')).toBe(long);
    const agent = (await storedMessages(channel.orgId)).find((m) => m.role === 'agent')!;
    expect(agent).toMatchObject({ deliveryStatus: 'sent', externalId: 'm_PART1' });
    expect((agent.metadata.platformMessageIds as string[])).toHaveLength(new Set(texts).size);
  });

  it('a conversation a person took over gets no bot reply; an inactive bot stores but does not answer', async () => {
    const channel = await connectedChannel('telegram');
    await deliver(channel, telegramFixtures.text);
    await drain();
    const conversationId = (await storedMessages(channel.orgId))[0].conversationId;
    await api.call('POST', `/api/v1/conversations/${conversationId}/messages`, { token: channel.user.token, body: { content: 'Marta here.' } });
    await drain();
    expect(fake.sent()).toHaveLength(2);
    await deliver(channel, telegramFixtures.photo);
    await drain();
    expect(fake.sent()).toHaveLength(2);

    const paused = await api.call('PUT', `/api/v1/chatbots/${channel.botId}`, { token: channel.user.token, body: { status: 'inactive' } });
    expect(paused.status, paused.text).toBe(200);
    await deliver(channel, telegramFixtures.voice);
    await drain();
    expect(fake.sent()).toHaveLength(2);
    expect((await storedMessages(channel.orgId)).filter((m) => m.role === 'user')).toHaveLength(3);
  });

  it('an agent reply on a disconnected channel fails with the reason', async () => {
    const channel = await connectedChannel('whatsapp');
    await deliver(channel, whatsappFixtures.text);
    await drain();
    const conversationId = (await storedMessages(channel.orgId))[0].conversationId;
    await api.call('POST', `/api/v1/integrations/${channel.integrationId}/disconnect`, { token: channel.user.token });
    await api.call('POST', `/api/v1/conversations/${conversationId}/messages`, { token: channel.user.token, body: { content: 'Are you still there?' } });
    await drain();
    const agent = (await storedMessages(channel.orgId)).find((m) => m.role === 'agent')!;
    expect(agent).toMatchObject({ deliveryStatus: 'failed', error: expect.stringContaining('disconnected') });
    expect(fake.sent()).toHaveLength(1);
  });
});

describe('receipts, echoes and edits', () => {
  it('WhatsApp statuses move the delivery status forward only; a failed one shows on the channel', async () => {
    const channel = await connectedChannel('whatsapp');
    await deliver(channel, whatsappFixtures.text);
    await drain();
    const answer = (await storedMessages(channel.orgId)).find((m) => m.role === 'assistant')!;
    const receipts = structuredClone(whatsappFixtures.statuses);
    for (const status of receipts.entry[0].changes[0].value.statuses) status.id = answer.externalId!;
    // "read" arrives before "delivered": the message ends read.
    const res = await deliver(channel, receipts);
    expect(res.body).toMatchObject({ statuses: 1, stored: 0 });
    const [after] = await api.runtime.services.db.select().from(messages).where(eq(messages.id, answer.id));
    expect(after.deliveryStatus).toBe('read');

    await deliver(channel, { ...whatsappFixtures.text, entry: [{ ...whatsappFixtures.text.entry[0], changes: [{ ...whatsappFixtures.text.entry[0].changes[0], value: { ...whatsappFixtures.text.entry[0].changes[0].value, messages: [{ ...whatsappFixtures.text.entry[0].changes[0].value.messages[0], id: 'wamid.SECOND' }] } }] }] });
    await drain();
    const second = (await storedMessages(channel.orgId)).filter((m) => m.role === 'assistant')[1];
    const failed = structuredClone(whatsappFixtures.statusFailed);
    failed.entry[0].changes[0].value.statuses[0].id = second.externalId!;
    await deliver(channel, failed);
    const [failedRow] = await api.runtime.services.db.select().from(messages).where(eq(messages.id, second.id));
    expect(failedRow).toMatchObject({ deliveryStatus: 'failed', error: expect.stringContaining('24-hour') });
    expect((await integrationRow(channel.integrationId)).lastError).toContain('24-hour');
  });

  it('Messenger echoes never become messages; deliveries and read watermarks update ours', async () => {
    const channel = await connectedChannel('messenger');
    await deliver(channel, messengerFixtures.text);
    await drain();
    const answer = (await storedMessages(channel.orgId)).find((m) => m.role === 'assistant')!;
    const echo = structuredClone(messengerFixtures.echo);
    echo.entry[0].messaging[0].message.mid = answer.externalId!;
    expect((await deliver(channel, echo)).body).toMatchObject({ stored: 0 });
    const delivery = structuredClone(messengerFixtures.delivery);
    delivery.entry[0].messaging[0].delivery.mids = [answer.externalId!];
    await deliver(channel, delivery);
    expect((await api.runtime.services.db.select().from(messages).where(eq(messages.id, answer.id)))[0].deliveryStatus).toBe('delivered');
    await deliver(channel, messengerFixtures.read);
    expect((await api.runtime.services.db.select().from(messages).where(eq(messages.id, answer.id)))[0].deliveryStatus).toBe('read');
    const all = await storedMessages(channel.orgId);
    expect(all.map((m) => m.role)).toEqual(['user', 'assistant']);
  });

  it('Instagram reads by message id; reactions are stored without a reply', async () => {
    const channel = await connectedChannel('instagram');
    await deliver(channel, instagramFixtures.text);
    await drain();
    const answer = (await storedMessages(channel.orgId)).find((m) => m.role === 'assistant')!;
    const read = structuredClone(instagramFixtures.read);
    read.entry[0].messaging[0].read.mid = answer.externalId!;
    await deliver(channel, read);
    expect((await api.runtime.services.db.select().from(messages).where(eq(messages.id, answer.id)))[0].deliveryStatus).toBe('read');
    await deliver(channel, instagramFixtures.batch);
    await drain();
    const users = (await storedMessages(channel.orgId)).filter((m) => m.role === 'user');
    expect(users.map((m) => m.contentType)).toEqual(['text', 'story_mention', 'share', 'text', 'interactive', 'unsupported']);
    // The text, the share, the story reply and the postback are answered; the story mention and unsupported are not.
    expect(fake.sent()).toHaveLength(4);
  });

  it('a Telegram edit replaces the text and keeps the old one; a replayed edit changes nothing', async () => {
    const channel = await connectedChannel('telegram');
    await deliver(channel, telegramFixtures.text);
    const edit = await deliver(channel, telegramFixtures.edited);
    expect(edit.body).toMatchObject({ edits: 1, stored: 0 });
    expect((await deliver(channel, telegramFixtures.edited)).body).toMatchObject({ edits: 0 });
    const [user] = (await storedMessages(channel.orgId)).filter((m) => m.role === 'user');
    expect(user.content).toBe('What are your opening hours on Sunday?');
    expect(user.metadata).toMatchObject({ edited: true, edits: [{ content: 'What are your opening hours?' }] });
  });
});

describe('Telegram specifics', () => {
  it('/start answers with the bot’s welcome message', async () => {
    const channel = await connectedChannel('telegram');
    await deliver(channel, telegramFixtures.start);
    await drain();
    expect(fake.sent()[0].body).toMatchObject({ chat_id: RECIPIENT.telegram, text: 'Hi! I am Sol, ask me anything.' });
  });

  it('a tapped button is answered (the spinner stops) with its label as the question', async () => {
    const channel = await connectedChannel('telegram');
    await deliver(channel, telegramFixtures.callback);
    await drain();
    const answered = fake.requests.find((r) => r.endpoint === 'answerCallbackQuery');
    expect(answered?.body).toEqual({ callback_query_id: '4382bfdwdsb323b2d9' });
    const [user] = (await storedMessages(channel.orgId)).filter((m) => m.role === 'user');
    expect(user).toMatchObject({ contentType: 'interactive', content: 'Opening hours' });
    expect(fake.sent()[0].body.text).toContain('10:00 to 20:00');
  });

  it('in a group the bot answers mentions, quoting the message, and ignores chatter', async () => {
    const channel = await connectedChannel('telegram');
    expect((await deliver(channel, telegramFixtures.groupChatter)).body).toMatchObject({ stored: 0, ignored: 1 });
    expect((await deliver(channel, telegramFixtures.groupMention)).body).toMatchObject({ stored: 1 });
    await drain();
    const [sent] = fake.sent();
    expect(sent.body).toMatchObject({ chat_id: '-1001234567890', reply_parameters: { message_id: 77, allow_sending_without_reply: true } });
    const stored = await storedMessages(channel.orgId);
    expect(stored[0].metadata).toMatchObject({ group: true, from: { username: 'marta_r' } });
  });

  it('with groups set to ignore, group messages are not stored', async () => {
    const channel = await connectedChannel('telegram', { settings: { groups: 'ignore' } });
    expect((await deliver(channel, telegramFixtures.groupMention)).body).toMatchObject({ stored: 0, ignored: 1 });
    expect(await storedMessages(channel.orgId)).toHaveLength(0);
  });
});

describe('tenancy', () => {
  it('a message to one organization’s integration never lands in another’s', async () => {
    const a = await connectedChannel('whatsapp');
    const b = await connectedChannel('whatsapp');
    await deliver(a, whatsappFixtures.text);
    // The same platform message id in another organization is a different message.
    await deliver(b, whatsappFixtures.text);
    expect(await storedMessages(a.orgId)).toHaveLength(1);
    expect(await storedMessages(b.orgId)).toHaveLength(1);
    const foreign = await api.call('GET', `/api/v1/integrations/${a.integrationId}`, { token: b.user.token });
    expect(foreign.status).toBe(404);
    const rows = await api.runtime.services.db.select().from(messages).where(and(eq(messages.organizationId, b.orgId), eq(messages.role, 'user')));
    expect(rows).toHaveLength(1);
  });
});
