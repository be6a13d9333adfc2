import { eq } from 'drizzle-orm';
import { beforeAll, expect } from 'vitest';
import { messages } from '../../db/schema';
import { slackSignature } from '../core/channels/slack';
import { toHex } from '../lib/crypto';
import { useFakePlatformsApi } from './channel-suite';
import type { TestUser } from './harness';

export const SLACK = { botToken: 'xoxb-1111-2222-abcdefghijklmnop', signingSecret: '8f742231b10e8888abcd99yyyzzz85a5' };
export const DISCORD_APP = '111111111111111111';
export const DISCORD_TOKEN = 'MTExMTExMTExMTExMTExMTEx.fake.discord-bot-token-abcdefghijk';

export interface SlackDiscordChannel {
  user: TestUser;
  orgId: string;
  integrationId: string;
}

/**
 * Slack and Discord tests' common ground: the real app over HTTP with each platform's API (and
 * Discord's Gateway websocket) faked on loopback, and requests signed the way the platforms sign
 * them: HMAC with the signing secret for Slack, a real Ed25519 key pair for Discord. Registers
 * the suite's hooks; `env` adds settings (e.g. ALLOW_PRIVATE_URLS for the fakes' file servers).
 */
export function useSlackDiscord(env: Record<string, string> = {}) {
  const suite = useFakePlatformsApi((fake) => ({ SLACK_API_URL: fake.url, DISCORD_API_URL: fake.url, DISCORD_GATEWAY_URL: fake.wsUrl }), env);
  let discordKeys!: CryptoKeyPair;
  let discordPublicKey!: string;
  let seq = 0;

  beforeAll(async () => {
    discordKeys = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    discordPublicKey = toHex(await crypto.subtle.exportKey('raw', discordKeys.publicKey));
  });

  function slackEvent(event: Record<string, unknown>) {
    seq += 1;
    return { token: 'legacy', team_id: 'T0FAKE', api_app_id: 'A0FAKE', type: 'event_callback', event_id: `Ev${seq}`, event_time: Date.now() / 1000, event: { type: 'message', user: 'U0CUSTOMER', ...event } };
  }
  const ts = () => `${Math.floor(Date.now() / 1000)}.${String((seq += 1)).padStart(6, '0')}`;
  const now = () => String(Math.floor(Date.now() / 1000));

  async function liveBot(user: TestUser) {
    const bot = await suite.api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Sol', model: 'builtin:extractive', language: 'en' } });
    expect(bot.status, bot.text).toBe(201);
    const deployed = await suite.api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: user.token });
    expect(deployed.status, deployed.text).toBe(200);
    return bot.body.id as string;
  }

  return {
    get api() {
      return suite.api;
    },
    get fake() {
      return suite.fake;
    },
    get discordKeys() {
      return discordKeys;
    },
    get discordPublicKey() {
      return discordPublicKey;
    },
    liveBot,

    async connected(platform: 'slack' | 'discord', settings?: Record<string, unknown>): Promise<SlackDiscordChannel> {
      const user = await suite.api.signUp();
      const org = await suite.api.createOrg(user);
      const botId = await liveBot(user);
      const credentials = platform === 'slack' ? SLACK : { applicationId: DISCORD_APP, publicKey: discordPublicKey, botToken: DISCORD_TOKEN };
      const created = await suite.api.call('POST', '/api/v1/integrations', { token: user.token, body: { platform, name: platform, botId, credentials, ...(settings ? { settings } : {}) } });
      expect(created.status, created.text).toBe(201);
      const done = await suite.api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: user.token });
      expect(done.status, done.text).toBe(200);
      expect(done.body.status).toBe('connected');
      return { user, orgId: org.id, integrationId: created.body.id };
    },

    async toSlack(channel: SlackDiscordChannel, payload: unknown, options: { timestamp?: string; signature?: string; headers?: Record<string, string> } = {}) {
      const raw = JSON.stringify(payload);
      const timestamp = options.timestamp ?? now();
      const signature = options.signature ?? (await slackSignature(SLACK.signingSecret, timestamp, raw));
      return suite.api.call('POST', `/api/v1/channels/slack/${channel.integrationId}`, {
        rawBody: raw,
        headers: { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature, ...options.headers },
      });
    },

    async toDiscord(channel: SlackDiscordChannel, payload: unknown, options: { key?: CryptoKey } = {}) {
      const raw = JSON.stringify(payload);
      const timestamp = now();
      const signature = await crypto.subtle.sign({ name: 'Ed25519' }, options.key ?? discordKeys.privateKey, new TextEncoder().encode(timestamp + raw));
      return suite.api.call('POST', `/api/v1/channels/discord/${channel.integrationId}`, {
        rawBody: raw,
        headers: { 'x-signature-ed25519': toHex(signature), 'x-signature-timestamp': timestamp },
      });
    },

    slackEvent,
    ts,
    /** A file shared in the customer's DM (`file_share`), as Slack posts it. */
    slackFileShare(file: Record<string, unknown>, text = '') {
      return slackEvent({ channel: 'D0DM', channel_type: 'im', subtype: 'file_share', text, ts: ts(), files: [file] });
    },

    /** Polls until `check` holds (Gateway events are stored as they arrive, not per request). */
    async until(check: () => Promise<boolean>, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error('condition not met in time');
        await new Promise((r) => setTimeout(r, 50));
      }
    },

    stored: (orgId: string) => suite.api.runtime.services.db.select().from(messages).where(eq(messages.organizationId, orgId)).orderBy(messages.createdAt),
    slackPosts: () => suite.fake.requests.filter((r) => r.api === 'slack' && r.endpoint === 'chat.postMessage'),
  };
}
