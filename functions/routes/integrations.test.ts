import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { channels } from '../../db/schema';
import { OUTAGE, startFakePlatforms, type FakePlatforms } from '../testing/fake-platforms';
import { createTestApi, type TestApi, type TestUser } from '../testing/harness';

/** The integrations API: CRUD, connect/disconnect/status, and credentials that never come back out. */
let api: TestApi;
let fake: FakePlatforms;

beforeAll(async () => {
  fake = await startFakePlatforms();
  api = await createTestApi({ env: { META_GRAPH_API_URL: fake.url, TELEGRAM_API_URL: fake.url, APP_URL: 'https://hooks.example.com' } });
});
afterAll(async () => {
  await api.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const BOT_TOKEN = '777000111:AAHfakeTokenForTests_0123456789abcdefXYZ';
const WHATSAPP = { phoneNumberId: '106540352242922', accessToken: 'EAAG-secret-access-token-value', appSecret: '0123456789abcdef0123456789abcdef' };

async function orgWithBot(): Promise<{ user: TestUser; orgId: string; botId: string }> {
  const user = await api.signUp();
  const org = await api.createOrg(user);
  const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Sol', model: 'builtin:extractive' } });
  expect(bot.status, bot.text).toBe(201);
  return { user, orgId: org.id, botId: bot.body.id };
}

function create(user: TestUser, body: Record<string, unknown>) {
  return api.call('POST', '/api/v1/integrations', { token: user.token, body });
}

describe('integrations CRUD', () => {
  it('creates, lists, reads, renames and deletes; secrets never come back', async () => {
    const { user, botId } = await orgWithBot();
    const created = await create(user, { platform: 'whatsapp', name: 'Ventas', botId, credentials: WHATSAPP });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      platform: 'whatsapp',
      name: 'Ventas',
      status: 'disconnected',
      bot: { id: botId, name: 'Sol' },
      credentials: { configured: true, fields: expect.arrayContaining(['phoneNumberId', 'accessToken', 'appSecret', 'verifyToken']) },
      webhook: { url: `https://hooks.example.com/api/v1/channels/whatsapp/${created.body.id}`, verifyToken: expect.any(String) },
      settings: { groups: 'mentions' },
    });
    expect(created.body.webhook.verifyToken.length).toBeGreaterThanOrEqual(24);

    const list = await api.call('GET', '/api/v1/integrations', { token: user.token });
    const one = await api.call('GET', `/api/v1/integrations/${created.body.id}`, { token: user.token });
    const renamed = await api.call('PUT', `/api/v1/integrations/${created.body.id}`, { token: user.token, body: { name: 'Soporte' } });
    expect(list.body.data).toHaveLength(1);
    expect(one.body.id).toBe(created.body.id);
    expect(renamed.body.name).toBe('Soporte');
    for (const res of [created, list, one, renamed]) {
      expect(res.raw).not.toContain(WHATSAPP.accessToken);
      expect(res.raw).not.toContain(WHATSAPP.appSecret);
    }
    const [row] = await api.runtime.services.db.select().from(channels).where(eq(channels.id, created.body.id));
    expect(row.credentialsEncrypted).toMatch(/^v1\./);
    expect(row.credentialsEncrypted).not.toContain(WHATSAPP.accessToken);

    const filtered = await api.call('GET', '/api/v1/integrations?platform=telegram', { token: user.token });
    expect(filtered.body.data).toHaveLength(0);
    const removed = await api.call('DELETE', `/api/v1/integrations/${created.body.id}`, { token: user.token });
    expect(removed.status).toBe(204);
    expect((await api.call('GET', `/api/v1/integrations/${created.body.id}`, { token: user.token })).status).toBe(404);
  });

  it('validates credentials per platform, with the field’s path', async () => {
    const { user, botId } = await orgWithBot();
    const missing = await create(user, { platform: 'whatsapp', name: 'x', botId, credentials: { phoneNumberId: '106540352242922' } });
    expect(missing.status).toBe(422);
    expect(missing.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['credentials.accessToken', 'credentials.appSecret']));
    const badToken = await create(user, { platform: 'telegram', name: 'x', botId, credentials: { botToken: 'not a token' } });
    expect(badToken.status).toBe(422);
    const badPlatform = await create(user, { platform: 'sms', name: 'x', botId });
    expect(badPlatform.status).toBe(422);
    const foreignBot = await create(user, { platform: 'telegram', name: 'x', botId: crypto.randomUUID() });
    expect(foreignBot.status).toBe(422);
    const partial = await create(user, { platform: 'messenger', name: 'Page', botId });
    expect(partial.status, partial.text).toBe(201);
    expect(partial.body.credentials).toEqual({ configured: false, fields: [] });
    const incomplete = await api.call('PUT', `/api/v1/integrations/${partial.body.id}`, { token: user.token, body: { credentials: { pageId: '1234567890' } } });
    expect(incomplete.status).toBe(422);
    expect(incomplete.body.error.details.map((d: { path: string }) => d.path)).toContain('credentials.pageAccessToken');
  });

  it('only admins see the verify token; viewers cannot write; other organizations get 404', async () => {
    const { user, orgId, botId } = await orgWithBot();
    const created = await create(user, { platform: 'instagram', name: 'IG', botId, credentials: { accountId: '17841400000000001', pageAccessToken: 'EAAG-instagram-token', appSecret: WHATSAPP.appSecret, verifyToken: 'chosen-verify-token' } });
    expect(created.body.webhook.verifyToken).toBe('chosen-verify-token');
    const viewer = await api.addMember(user, orgId, 'viewer');
    const seen = await api.call('GET', `/api/v1/integrations/${created.body.id}`, { token: viewer.token, orgId });
    expect(seen.status).toBe(200);
    expect(seen.body.webhook.verifyToken).toBeNull();
    expect(seen.raw).not.toContain('chosen-verify-token');
    const denied = await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: viewer.token, orgId });
    expect(denied.status).toBe(403);

    const stranger = await orgWithBot();
    for (const [method, path] of [
      ['GET', ''],
      ['PUT', ''],
      ['DELETE', ''],
      ['POST', '/connect'],
      ['POST', '/disconnect'],
      ['GET', '/status'],
    ] as const) {
      const res = await api.call(method, `/api/v1/integrations/${created.body.id}${path}`, { token: stranger.user.token, body: method === 'PUT' ? { name: 'mine now' } : undefined });
      expect(res.status, res.text).toBe(404);
    }
    expect((await api.call('GET', `/api/v1/integrations/${created.body.id}`, { token: user.token })).body.name).toBe('IG');
  });
});

describe('connect, disconnect, status', () => {
  it('Telegram: getMe, then setWebhook with our URL and a random secret token; reconnecting makes a new secret', async () => {
    const { user, botId } = await orgWithBot();
    const created = await create(user, { platform: 'telegram', name: 'Bot', botId, credentials: { botToken: BOT_TOKEN } });
    const connected = await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: user.token });
    expect(connected.status, connected.text).toBe(200);
    expect(connected.body).toMatchObject({ status: 'connected', account: { id: '777000111', handle: '@fake777000111_bot' }, lastError: null });
    expect(fake.requests.map((r) => r.endpoint)).toEqual(['getMe', 'setWebhook']);
    const hook = fake.requests[1].body;
    expect(hook).toMatchObject({ url: `https://hooks.example.com/api/v1/channels/telegram/${created.body.id}`, allowed_updates: ['message', 'edited_message', 'callback_query', 'message_reaction'] });
    expect(hook.secret_token).toMatch(/^[A-Za-z0-9_-]{32,256}$/);
    expect(connected.raw).not.toContain(BOT_TOKEN);
    expect(connected.raw).not.toContain(hook.secret_token);

    await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: user.token });
    expect(fake.telegramWebhook(BOT_TOKEN)!.secretToken).not.toBe(hook.secret_token);

    const status = await api.call('GET', `/api/v1/integrations/${created.body.id}/status?check=true`, { token: user.token });
    expect(status.status, status.text).toBe(200);
    expect(status.body).toMatchObject({
      status: 'connected',
      webhookUrl: hook.url,
      last24h: { received: 0, sent: 0, failed: 0, pending: 0 },
      platformWebhook: { url: hook.url, pendingUpdates: 0, lastError: null },
    });

    const off = await api.call('POST', `/api/v1/integrations/${created.body.id}/disconnect`, { token: user.token });
    expect(off.body.status).toBe('disconnected');
    expect(fake.requests.at(-1)).toMatchObject({ endpoint: 'deleteWebhook', body: { drop_pending_updates: false } });
  });

  it('a refused token: new credentials are not saved; stored ones put the channel in error', async () => {
    const { user, botId } = await orgWithBot();
    const created = await create(user, { platform: 'telegram', name: 'Bot', botId, credentials: { botToken: BOT_TOKEN } });
    fake.rejectToken('777000111:AAHrevokedTokenForTests_0123456789abcdef');
    const rejected = await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, {
      token: user.token,
      body: { credentials: { botToken: '777000111:AAHrevokedTokenForTests_0123456789abcdef' } },
    });
    expect(rejected.status).toBe(422);
    expect(rejected.body.error.message).toMatch(/Telegram rejected the credentials: Telegram refused the bot token: Unauthorized/);
    const afterRefusal = (await api.call('GET', `/api/v1/integrations/${created.body.id}`, { token: user.token })).body;
    expect(afterRefusal).toMatchObject({ status: 'disconnected', lastError: expect.stringContaining('Telegram refused the bot token') });
    expect(afterRefusal.lastErrorAt).not.toBeNull();

    fake.rejectToken(BOT_TOKEN);
    const stale = await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: user.token });
    expect(stale.status).toBe(422);
    const after = await api.call('GET', `/api/v1/integrations/${created.body.id}`, { token: user.token });
    expect(after.body).toMatchObject({ status: 'error', lastError: expect.stringContaining('Unauthorized') });
  });

  it('an unreachable platform -> 503; the status stays and the last error says why', async () => {
    const { user, botId } = await orgWithBot();
    const created = await create(user, { platform: 'whatsapp', name: 'WA', botId, credentials: WHATSAPP });
    fake.respond({ api: 'meta' }, { ...OUTAGE, headers: { 'Retry-After': '7' } });
    const res = await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: user.token });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    // Still disconnected, but the card can say why the connect failed.
    const after = (await api.call('GET', `/api/v1/integrations/${created.body.id}`, { token: user.token })).body;
    expect(after).toMatchObject({ status: 'disconnected', lastError: expect.stringContaining('could not be reached') });
  });

  it('WhatsApp reads the phone number and subscribes the app to the business account', async () => {
    const { user, botId } = await orgWithBot();
    const created = await create(user, { platform: 'whatsapp', name: 'WA', botId, credentials: { ...WHATSAPP, businessAccountId: '102290129340398' } });
    const res = await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: user.token });
    expect(res.status, res.text).toBe(200);
    expect(res.body.account).toEqual({ id: '106540352242922', name: 'Fake Business', handle: '+1 555-010-0000' });
    const version = api.runtime.config.META_GRAPH_API_VERSION;
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /${version}/106540352242922`, `POST /${version}/102290129340398/subscribed_apps`]);
    expect(fake.requests[0].query).toEqual({ fields: 'display_phone_number,verified_name' });
    expect(fake.requests.every((r) => r.headers.authorization === `Bearer ${WHATSAPP.accessToken}`)).toBe(true);
  });

  it('Messenger refuses a token that belongs to another page', async () => {
    const { user, botId } = await orgWithBot();
    fake.setPage('EAAG-token-of-another-page', { id: '999', name: 'Other page' });
    const created = await create(user, { platform: 'messenger', name: 'Page', botId, credentials: { pageId: '1234567890', pageAccessToken: 'EAAG-token-of-another-page', appSecret: WHATSAPP.appSecret } });
    const res = await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: user.token });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('belongs to page 999');
    fake.setPage('EAAG-token-of-the-right-page', { id: '1234567890', name: 'Acme' });
    const fixed = await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: user.token, body: { credentials: { pageAccessToken: 'EAAG-token-of-the-right-page' } } });
    expect(fixed.status, fixed.text).toBe(200);
    expect(fixed.body.account).toMatchObject({ id: '1234567890', name: 'Acme' });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', endpoint: '1234567890/subscribed_apps', query: { subscribed_fields: expect.stringContaining('messages') } });
  });

  it('changing credentials of a connected integration proves them first', async () => {
    const { user, botId } = await orgWithBot();
    const created = await create(user, { platform: 'telegram', name: 'Bot', botId, credentials: { botToken: BOT_TOKEN } });
    await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: user.token });
    const revoked = '888000111:AAHanotherRevokedToken_0123456789abcdefg';
    fake.rejectToken(revoked);
    const refused = await api.call('PUT', `/api/v1/integrations/${created.body.id}`, { token: user.token, body: { credentials: { botToken: revoked } } });
    expect(refused.status).toBe(422);
    const still = await api.call('GET', `/api/v1/integrations/${created.body.id}`, { token: user.token });
    expect(still.body).toMatchObject({ status: 'connected', account: { id: '777000111' } });
    const next = '888000222:AAHaValidReplacementToken_0123456789abcde';
    const changed = await api.call('PUT', `/api/v1/integrations/${created.body.id}`, { token: user.token, body: { credentials: { botToken: next }, settings: { groups: 'all' } } });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ status: 'connected', account: { id: '888000222' }, settings: { groups: 'all' } });
    expect(fake.telegramWebhook(next)?.url).toContain(created.body.id);
  });

  it('connect needs a linked chatbot', async () => {
    const { user, botId } = await orgWithBot();
    const created = await create(user, { platform: 'telegram', name: 'Bot', botId, credentials: { botToken: BOT_TOKEN } });
    await api.call('DELETE', `/api/v1/chatbots/${botId}`, { token: user.token });
    const res = await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: user.token });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe('botId');
  });
});
