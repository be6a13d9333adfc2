import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { messages } from '../../db/schema';
import { slackSignature } from '../core/channels/slack';
import { toHex } from '../lib/crypto';
import { startFakePlatforms, type FakePlatforms } from '../testing/fake-platforms';
import { createTestApi, type TestApi, type TestUser } from '../testing/harness';

/**
 * Slack and Discord, files and people (issue 17): files shared in Slack (read with the bot token)
 * and Discord attachments (CDN URLs) downloaded by the media job into storage, Slack contacts named
 * from `users.info`, and Discord's typing indicator. The fakes' file servers are on loopback, which
 * the outbound port allows here only (ALLOW_PRIVATE_URLS), so these live apart from the
 * conformance tests in channels-slack-discord.test.ts, which check private URLs are refused.
 */
let api: TestApi;
let fake: FakePlatforms;
let discordKeys: CryptoKeyPair;
let discordPublicKey: string;

beforeAll(async () => {
  fake = await startFakePlatforms();
  api = await createTestApi({
    env: {
      SLACK_API_URL: fake.url,
      DISCORD_API_URL: fake.url,
      DISCORD_GATEWAY_URL: fake.wsUrl,
      CHANNEL_RETRY_BASE_SECONDS: '0',
      CHANNEL_SEND_MAX_ATTEMPTS: '3',
      ALLOW_PRIVATE_URLS: 'true',
    },
  });
  discordKeys = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  discordPublicKey = toHex(await crypto.subtle.exportKey('raw', discordKeys.publicKey));
});
afterAll(async () => {
  await api.close();
  await fake.close();
});
beforeEach(async () => {
  await api.runtime.queue.drain();
  fake.reset();
});

const SLACK = { botToken: 'xoxb-1111-2222-abcdefghijklmnop', signingSecret: '8f742231b10e8888abcd99yyyzzz85a5' };
const DISCORD_APP = '111111111111111111';
const DISCORD_TOKEN = 'MTExMTExMTExMTExMTExMTEx.fake.discord-bot-token-abcdefghijk';
const now = () => String(Math.floor(Date.now() / 1000));

interface Channel {
  user: TestUser;
  orgId: string;
  integrationId: string;
}

async function liveBot(user: TestUser) {
  const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Sol', model: 'builtin:extractive', language: 'en' } });
  expect(bot.status, bot.text).toBe(201);
  const deployed = await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: user.token });
  expect(deployed.status, deployed.text).toBe(200);
  return bot.body.id as string;
}

async function connected(platform: 'slack' | 'discord', settings?: Record<string, unknown>): Promise<Channel> {
  const user = await api.signUp();
  const org = await api.createOrg(user);
  const botId = await liveBot(user);
  const credentials = platform === 'slack' ? SLACK : { applicationId: DISCORD_APP, publicKey: discordPublicKey, botToken: DISCORD_TOKEN };
  const created = await api.call('POST', '/api/v1/integrations', { token: user.token, body: { platform, name: platform, botId, credentials, ...(settings ? { settings } : {}) } });
  expect(created.status, created.text).toBe(201);
  const done = await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: user.token });
  expect(done.status, done.text).toBe(200);
  expect(done.body.status).toBe('connected');
  return { user, orgId: org.id, integrationId: created.body.id };
}

async function toSlack(channel: Channel, payload: unknown, options: { timestamp?: string; signature?: string; headers?: Record<string, string> } = {}) {
  const raw = JSON.stringify(payload);
  const timestamp = options.timestamp ?? now();
  const signature = options.signature ?? (await slackSignature(SLACK.signingSecret, timestamp, raw));
  return api.call('POST', `/api/v1/channels/slack/${channel.integrationId}`, {
    rawBody: raw,
    headers: { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature, ...options.headers },
  });
}

async function toDiscord(channel: Channel, payload: unknown, options: { key?: CryptoKey } = {}) {
  const raw = JSON.stringify(payload);
  const timestamp = now();
  const signature = await crypto.subtle.sign({ name: 'Ed25519' }, options.key ?? discordKeys.privateKey, new TextEncoder().encode(timestamp + raw));
  return api.call('POST', `/api/v1/channels/discord/${channel.integrationId}`, {
    rawBody: raw,
    headers: { 'x-signature-ed25519': toHex(signature), 'x-signature-timestamp': timestamp },
  });
}

let seq = 0;
function slackEvent(event: Record<string, unknown>) {
  seq += 1;
  return { token: 'legacy', team_id: 'T0FAKE', api_app_id: 'A0FAKE', type: 'event_callback', event_id: `Ev${seq}`, event_time: Date.now() / 1000, event: { type: 'message', user: 'U0CUSTOMER', ...event } };
}
const ts = () => `${Math.floor(Date.now() / 1000)}.${String((seq += 1)).padStart(6, '0')}`;

/** Polls until `check` holds (Gateway events are stored as they arrive, not per request). */
async function until(check: () => Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stored = (orgId: string) => api.runtime.services.db.select().from(messages).where(eq(messages.organizationId, orgId)).orderBy(messages.createdAt);
const slackPosts = () => fake.requests.filter((r) => r.api === 'slack' && r.endpoint === 'chat.postMessage');

describe('Slack files and people', () => {
  it('files shared in Slack are downloaded with the bot token into storage (the attachments contract)', async () => {
    const channel = await connected('slack');
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8]);
    const url = fake.media.slackFileUrl('photo.png', { mimeType: 'image/png', bytes: png }, SLACK.botToken);
    await toSlack(
      channel,
      slackEvent({
        channel: 'D0DM',
        channel_type: 'im',
        subtype: 'file_share',
        text: '',
        ts: ts(),
        files: [{ id: 'F0PIC', name: 'photo.png', mimetype: 'image/png', size: png.byteLength, url_private: url, url_private_download: url }],
      }),
    );
    let [row] = (await stored(channel.orgId)).filter((r) => r.role === 'user');
    expect(row.contentType).toBe('image');
    expect(row.metadata.attachments).toEqual([{ kind: 'image', status: 'pending', mimeType: 'image/png', size: png.byteLength, filename: 'photo.png', blobKey: null }]);
    await api.runtime.queue.drain();
    [row] = (await stored(channel.orgId)).filter((r) => r.role === 'user');
    const [attachment] = row.metadata.attachments as Array<Record<string, unknown>>;
    expect(attachment).toMatchObject({ kind: 'image', status: 'stored', mimeType: 'image/png', size: png.byteLength, error: null });
    expect(attachment.blobKey).toBe(`org/${channel.orgId}/attachments/${row.id}/0-photo.png`);
    const blob = await api.runtime.services.blobs.get(attachment.blobKey as string);
    expect(blob?.body).toEqual(png);
    // The inbox serves it like any channel's file (the dashboard's org-scoped route).
    const served = await api.call('GET', `/api/v1/conversations/${row.conversationId}/messages/${row.id}/attachments/0`, { token: channel.user.token });
    expect(served.status).toBe(200);
  });

  it('a Slack file whose download answers the sign-in page (a token without files:read) is failed, not stored as a picture', async () => {
    const channel = await connected('slack');
    const url = fake.media.slackFileUrl('secret.png', { mimeType: 'image/png', bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) }, 'xoxb-some-other-workspace-token');
    await toSlack(channel, slackEvent({ channel: 'D0DM', channel_type: 'im', subtype: 'file_share', text: 'look', ts: ts(), files: [{ id: 'F0X', name: 'secret.png', mimetype: 'image/png', url_private_download: url }] }));
    await api.runtime.queue.drain();
    const [row] = (await stored(channel.orgId)).filter((r) => r.role === 'user');
    const [attachment] = row.metadata.attachments as Array<Record<string, unknown>>;
    expect(attachment.status).toBe('failed');
    expect(attachment.blobKey).toBeNull();
    expect(String(attachment.error)).toMatch(/html|type/i);
  });

  it('the contact is named from users.info (cached per user)', async () => {
    const channel = await connected('slack');
    fake.setProfile('U0CUSTOMER', { name: 'ana.g', real_name: 'Ana García', profile: { display_name: 'Ana G', real_name: 'Ana García', image_192: 'https://avatars.slack-edge.com/ana_192.png' } });
    await toSlack(channel, slackEvent({ channel: 'C0GENERAL', channel_type: 'channel', type: 'app_mention', text: '<@U0FAKEBOT> hi', ts: ts() }));
    await toSlack(channel, slackEvent({ channel: 'C0GENERAL', channel_type: 'channel', type: 'app_mention', text: '<@U0FAKEBOT> another thread', ts: ts() }));
    await api.runtime.queue.drain();
    const list = await api.call('GET', '/api/v1/contacts', { token: channel.user.token });
    expect(list.status, list.text).toBe(200);
    const contacts = list.body.data as Array<{ name: string | null; attributes: Record<string, unknown> }>;
    expect(contacts).toHaveLength(2);
    for (const contact of contacts) {
      expect(contact.name).toBe('Ana G');
      expect(contact.attributes).toMatchObject({ avatarUrl: 'https://avatars.slack-edge.com/ana_192.png', username: 'ana.g', slackUserId: 'U0CUSTOMER' });
    }
    // Two threads (two contacts) from one person: one users.info call, the second read from the cache.
    const reads = fake.requests.filter((r) => r.endpoint === 'users.info');
    expect(reads).toHaveLength(1);
    expect(reads[0].method).toBe('GET');
    expect(reads[0].query.user).toBe('U0CUSTOMER');
    expect(reads[0].token).toBe(SLACK.botToken);
  });
});

describe('Discord files and typing', () => {
  it('a Gateway message\u2019s attachments are downloaded from the CDN into storage; the bot shows "typing" while it answers', async () => {
    fake.setDiscordApp(DISCORD_TOKEN, DISCORD_APP);
    const chosen = '464646464646464646';
    const channel = await connected('discord', { discord: { channels: [chosen], dms: false } });
    await fake.gateway.waitFor(2);
    const pdf = new TextEncoder().encode('%PDF-1.7\n1 0 obj << >> endobj\n%%EOF');
    const url = fake.media.cdnUrl('attachments/464646464646464646/999/invoice.pdf', { mimeType: 'application/pdf', bytes: pdf });
    fake.gateway.dispatch('MESSAGE_CREATE', {
      id: '100000000000000077',
      channel_id: chosen,
      guild_id: '777777777777777777',
      type: 0,
      content: 'here is my invoice',
      author: { id: '888888888888888888', username: 'ana' },
      attachments: [{ id: '999', filename: 'invoice.pdf', content_type: 'application/pdf', size: pdf.byteLength, url, proxy_url: url }],
    });
    await until(async () => (await stored(channel.orgId)).some((r) => r.content === 'here is my invoice'));
    await api.runtime.queue.drain();
    const row = (await stored(channel.orgId)).find((r) => r.content === 'here is my invoice')!;
    const [attachment] = row.metadata.attachments as Array<Record<string, unknown>>;
    expect(attachment).toMatchObject({ kind: 'document', status: 'stored', mimeType: 'application/pdf', size: pdf.byteLength, filename: 'invoice.pdf' });
    expect((await api.runtime.services.blobs.get(attachment.blobKey as string))?.body).toEqual(pdf);
    // Answered once the file is in, with the typing indicator in that channel first.
    expect(fake.sent().map((r) => r.endpoint)).toEqual([`channels/${chosen}/messages`]);
    const typing = fake.signals().filter((r) => r.endpoint === `channels/${chosen}/typing`);
    expect(typing).toHaveLength(1);
    expect(typing[0].method).toBe('POST');
    expect(typing[0].headers.authorization).toBe(`Bot ${DISCORD_TOKEN}`);
    await api.call('POST', `/api/v1/integrations/${channel.integrationId}/disconnect`, { token: channel.user.token });
  });
});
