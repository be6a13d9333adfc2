import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { signMetaPayload } from '../core/channels/meta';
import { startFakePlatforms, type FakePlatforms } from './fake-platforms';
import { createTestApi, type TestApi, type TestUser } from './harness';

/**
 * The real app over HTTP with the platforms' APIs faked on loopback (`apiUrls` points the app at
 * the fake), retries at once, and the fake's record reset between tests (after draining the
 * queue, so replies a test leaves queued never land in the next test's record). Registers the
 * suite's hooks; `env` adds or overrides settings.
 */
export function useFakePlatformsApi(apiUrls: (fake: FakePlatforms) => Record<string, string>, env: Record<string, string> = {}) {
  let api!: TestApi;
  let fake!: FakePlatforms;
  beforeAll(async () => {
    fake = await startFakePlatforms();
    api = await createTestApi({ env: { ...apiUrls(fake), CHANNEL_RETRY_BASE_SECONDS: '0', CHANNEL_SEND_MAX_ATTEMPTS: '3', ...env } });
  });
  afterAll(async () => {
    await api.close();
    await fake.close();
  });
  beforeEach(async () => {
    await api.runtime.queue.drain();
    fake.reset();
  });
  return {
    get api() {
      return api;
    },
    get fake() {
      return fake;
    },
  };
}

/** The common ground of the WhatsApp, Messenger, Instagram and Telegram route tests (Meta's Graph API and Telegram's Bot API faked). */
export function useChannelSuite(env: Record<string, string> = {}) {
  const suite = useFakePlatformsApi((fake) => ({ META_GRAPH_API_URL: fake.url, TELEGRAM_API_URL: fake.url }), env);
  /** Posts a platform's webhook to the channel, signed as Meta signs it or with Telegram's secret token. */
  async function deliver(channel: { platform: MessagingPlatform; integrationId: string }, payload: unknown) {
    const { api, fake } = suite;
    const raw = JSON.stringify(payload);
    const headers: Record<string, string> =
      channel.platform === 'telegram'
        ? { 'x-telegram-bot-api-secret-token': fake.telegramWebhook(CHANNEL_CREDENTIALS.telegram.botToken)?.secretToken ?? 'none' }
        : { 'x-hub-signature-256': await signMetaPayload(APP_SECRET, raw) };
    return api.call('POST', `/api/v1/channels/${channel.platform}/${channel.integrationId}`, { rawBody: raw, headers });
  }
  /** A new organization (or `user`'s) with a deployed built-in bot and `platform` connected to it. */
  async function connected(platform: MessagingPlatform, user?: TestUser): Promise<ConnectedChannel> {
    const { api, fake } = suite;
    const owner = user ?? (await api.signUp());
    const org = await api.createOrg(owner);
    const bot = await api.call('POST', '/api/v1/chatbots', { token: owner.token, body: { name: 'Sol', model: 'builtin:extractive', language: 'en' } });
    expect(bot.status, bot.text).toBe(201);
    expect((await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: owner.token })).status).toBe(200);
    // Messenger's connect checks that the token is the page's own.
    if (platform === 'messenger') fake.setPage(CHANNEL_CREDENTIALS.messenger.pageAccessToken, { id: CHANNEL_CREDENTIALS.messenger.pageId, name: 'Acme Page' });
    const created = await api.call('POST', '/api/v1/integrations', { token: owner.token, body: { platform, name: platform, botId: bot.body.id, credentials: CHANNEL_CREDENTIALS[platform] } });
    expect(created.status, created.text).toBe(201);
    const done = await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: owner.token });
    expect(done.status, done.text).toBe(200);
    return { user: owner, orgId: org.id, integrationId: created.body.id, platform };
  }
  return {
    deliver,
    connected,
    get api() {
      return suite.api;
    },
    get fake() {
      return suite.fake;
    },
  };
}

export type MessagingPlatform = 'whatsapp' | 'messenger' | 'instagram' | 'telegram';

export interface ConnectedChannel {
  user: TestUser;
  orgId: string;
  integrationId: string;
  platform: MessagingPlatform;
}

export const APP_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
/** Credentials each platform's connect check accepts from the fake. */
export const CHANNEL_CREDENTIALS = {
  whatsapp: { phoneNumberId: '106540352242922', accessToken: 'EAAG-whatsapp-system-user-token', appSecret: APP_SECRET },
  messenger: { pageId: '1234567890', pageAccessToken: 'EAAG-messenger-page-token', appSecret: APP_SECRET },
  instagram: { accountId: '17841400000000001', pageAccessToken: 'EAAG-instagram-page-token', appSecret: APP_SECRET },
  telegram: { botToken: '123456789:AAEhBP0av28fhjRdM2ZJu1PsMKrcZhGs4wE' },
} as const;
/** The customer on each platform (the fixtures' senders). */
export const CUSTOMER = { whatsapp: '16505551234', messenger: '24680135792468', instagram: '9876543210', telegram: '555000111' } as const;
