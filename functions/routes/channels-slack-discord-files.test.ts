import { describe, expect, it } from 'vitest';
import { DISCORD_APP, DISCORD_TOKEN, SLACK, useSlackDiscord } from '../testing/slack-discord';

/**
 * Slack and Discord, files and people (issue 17): files shared in Slack (read with the bot token)
 * and Discord attachments (CDN URLs) downloaded by the media job into storage, Slack contacts named
 * from `users.info`, and Discord's typing indicator. The fakes' file servers are on loopback, which
 * the outbound port allows here only (ALLOW_PRIVATE_URLS), so these live apart from the
 * conformance tests in channels-slack-discord.test.ts, which check private URLs are refused.
 */
const channels = useSlackDiscord({ ALLOW_PRIVATE_URLS: 'true' });
const { connected, toSlack, slackEvent, ts, until, stored } = channels;

describe('Slack files and people', () => {
  it('files shared in Slack are downloaded with the bot token into storage (the attachments contract)', async () => {
    const channel = await connected('slack');
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8]);
    const url = channels.fake.media.slackFileUrl('photo.png', { mimeType: 'image/png', bytes: png }, SLACK.botToken);
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
    await channels.api.runtime.queue.drain();
    [row] = (await stored(channel.orgId)).filter((r) => r.role === 'user');
    const [attachment] = row.metadata.attachments as Array<Record<string, unknown>>;
    expect(attachment).toMatchObject({ kind: 'image', status: 'stored', mimeType: 'image/png', size: png.byteLength, error: null });
    expect(attachment.blobKey).toBe(`org/${channel.orgId}/attachments/${row.id}/0-photo.png`);
    const blob = await channels.api.runtime.services.blobs.get(attachment.blobKey as string);
    expect(blob?.body).toEqual(png);
    // The inbox serves it like any channel's file (the dashboard's org-scoped route).
    const served = await channels.api.call('GET', `/api/v1/conversations/${row.conversationId}/messages/${row.id}/attachments/0`, { token: channel.user.token });
    expect(served.status).toBe(200);
  });

  it('a Slack file whose download answers the sign-in page (a token without files:read) is failed, not stored as a picture', async () => {
    const channel = await connected('slack');
    const url = channels.fake.media.slackFileUrl('secret.png', { mimeType: 'image/png', bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) }, 'xoxb-some-other-workspace-token');
    await toSlack(channel, slackEvent({ channel: 'D0DM', channel_type: 'im', subtype: 'file_share', text: 'look', ts: ts(), files: [{ id: 'F0X', name: 'secret.png', mimetype: 'image/png', url_private_download: url }] }));
    await channels.api.runtime.queue.drain();
    const [row] = (await stored(channel.orgId)).filter((r) => r.role === 'user');
    const [attachment] = row.metadata.attachments as Array<Record<string, unknown>>;
    expect(attachment.status).toBe('failed');
    expect(attachment.blobKey).toBeNull();
    expect(String(attachment.error)).toMatch(/html|type/i);
  });

  it('the contact is named from users.info (cached per user)', async () => {
    const channel = await connected('slack');
    channels.fake.setProfile('U0CUSTOMER', { name: 'ana.g', real_name: 'Ana García', profile: { display_name: 'Ana G', real_name: 'Ana García', image_192: 'https://avatars.slack-edge.com/ana_192.png' } });
    await toSlack(channel, slackEvent({ channel: 'C0GENERAL', channel_type: 'channel', type: 'app_mention', text: '<@U0FAKEBOT> hi', ts: ts() }));
    await toSlack(channel, slackEvent({ channel: 'C0GENERAL', channel_type: 'channel', type: 'app_mention', text: '<@U0FAKEBOT> another thread', ts: ts() }));
    await channels.api.runtime.queue.drain();
    const list = await channels.api.call('GET', '/api/v1/contacts', { token: channel.user.token });
    expect(list.status, list.text).toBe(200);
    const contacts = list.body.data as Array<{ name: string | null; attributes: Record<string, unknown> }>;
    expect(contacts).toHaveLength(2);
    for (const contact of contacts) {
      expect(contact.name).toBe('Ana G');
      expect(contact.attributes).toMatchObject({ avatarUrl: 'https://avatars.slack-edge.com/ana_192.png', username: 'ana.g', slackUserId: 'U0CUSTOMER' });
    }
    // Two threads (two contacts) from one person: one users.info call, the second read from the cache.
    const reads = channels.fake.requests.filter((r) => r.endpoint === 'users.info');
    expect(reads).toHaveLength(1);
    expect(reads[0].method).toBe('GET');
    expect(reads[0].query.user).toBe('U0CUSTOMER');
    expect(reads[0].token).toBe(SLACK.botToken);
  });
});

describe('Discord files and typing', () => {
  it('a Gateway message\u2019s attachments are downloaded from the CDN into storage; the bot shows "typing" while it answers', async () => {
    channels.fake.setDiscordApp(DISCORD_TOKEN, DISCORD_APP);
    const chosen = '464646464646464646';
    const channel = await connected('discord', { discord: { channels: [chosen], dms: false } });
    await channels.fake.gateway.waitFor(2);
    const pdf = new TextEncoder().encode('%PDF-1.7\n1 0 obj << >> endobj\n%%EOF');
    const url = channels.fake.media.cdnUrl('attachments/464646464646464646/999/invoice.pdf', { mimeType: 'application/pdf', bytes: pdf });
    channels.fake.gateway.dispatch('MESSAGE_CREATE', {
      id: '100000000000000077',
      channel_id: chosen,
      guild_id: '777777777777777777',
      type: 0,
      content: 'here is my invoice',
      author: { id: '888888888888888888', username: 'ana' },
      attachments: [{ id: '999', filename: 'invoice.pdf', content_type: 'application/pdf', size: pdf.byteLength, url, proxy_url: url }],
    });
    await until(async () => (await stored(channel.orgId)).some((r) => r.content === 'here is my invoice'));
    await channels.api.runtime.queue.drain();
    const row = (await stored(channel.orgId)).find((r) => r.content === 'here is my invoice')!;
    const [attachment] = row.metadata.attachments as Array<Record<string, unknown>>;
    expect(attachment).toMatchObject({ kind: 'document', status: 'stored', mimeType: 'application/pdf', size: pdf.byteLength, filename: 'invoice.pdf' });
    expect((await channels.api.runtime.services.blobs.get(attachment.blobKey as string))?.body).toEqual(pdf);
    // Answered once the file is in, with the typing indicator in that channel first.
    expect(channels.fake.sent().map((r) => r.endpoint)).toEqual([`channels/${chosen}/messages`]);
    const typing = channels.fake.signals().filter((r) => r.endpoint === `channels/${chosen}/typing`);
    expect(typing).toHaveLength(1);
    expect(typing[0].method).toBe('POST');
    expect(typing[0].headers.authorization).toBe(`Bot ${DISCORD_TOKEN}`);
    await channels.api.call('POST', `/api/v1/integrations/${channel.integrationId}/disconnect`, { token: channel.user.token });
  });
});
