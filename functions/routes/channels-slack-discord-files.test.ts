import { describe, expect, it } from 'vitest';
import { uploadAgentFile } from '../testing/inbox';
import { DISCORD_APP, DISCORD_TOKEN, SLACK, useSlackDiscord, type SlackDiscordChannel } from '../testing/slack-discord';

/**
 * Slack and Discord, files and people (issue 17): files shared in Slack (read with the bot token)
 * and Discord attachments (CDN URLs) downloaded by the media job into storage, Slack contacts named
 * from `users.info`, and Discord's typing indicator. The fakes' file servers are on loopback, which
 * the outbound port allows here only (ALLOW_PRIVATE_URLS), so these live apart from the
 * conformance tests in channels-slack-discord.test.ts, which check private URLs are refused.
 * Agents' files go out the other way: Slack's upload flow into the thread, Discord's multipart
 * Create Message.
 */
const channels = useSlackDiscord({ ALLOW_PRIVATE_URLS: 'true' });
const { connected, toSlack, slackEvent, slackFileShare, ts, until, stored } = channels;

describe('Slack files and people', () => {
  it('files shared in Slack are downloaded with the bot token into storage (the attachments contract)', async () => {
    const channel = await connected('slack');
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8]);
    const url = channels.fake.media.slackFileUrl('photo.png', { mimeType: 'image/png', bytes: png }, SLACK.botToken);
    await toSlack(channel, slackFileShare({ id: 'F0PIC', name: 'photo.png', mimetype: 'image/png', size: png.byteLength, url_private: url, url_private_download: url }));
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
    await toSlack(channel, slackFileShare({ id: 'F0X', name: 'secret.png', mimetype: 'image/png', url_private_download: url }, 'look'));
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

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, ...new Array(300).fill(9), 0xff, 0xd9]);
const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
const MB = 1024 * 1024;

const upload = (channel: SlackDiscordChannel, conversationId: string, file: File, caption?: string) =>
  uploadAgentFile(channels.api, { token: channel.user.token, orgId: channel.orgId }, conversationId, file, caption);

/** A Slack thread conversation (a mention in #support), the bot's answer already sent; its id and the thread's parent ts. */
async function slackThread(channel: SlackDiscordChannel) {
  const parent = ts();
  await toSlack(channel, slackEvent({ type: 'app_mention', channel: 'C0SUPPORT', channel_type: 'channel', text: '<@U0FAKEBOT> the invoice please', ts: parent }));
  await channels.api.runtime.queue.drain();
  const [row] = (await stored(channel.orgId)).filter((r) => r.role === 'user');
  channels.fake.reset();
  return { conversationId: row.conversationId, parent };
}

async function messageRow(channel: SlackDiscordChannel, id: string) {
  return (await stored(channel.orgId)).find((r) => r.id === id)!;
}

describe('agents send files to Slack', () => {
  it('an image and a PDF go into the thread through the upload flow (reserve, upload, complete), then the caption', async () => {
    const channel = await connected('slack');
    const { conversationId, parent } = await slackThread(channel);
    const image = await upload(channel, conversationId, new File([JPEG], 'foto.jpg', { type: 'image/jpeg' }), 'Here it is');
    expect(image.status, JSON.stringify(image.body)).toBe(201);
    expect(image.body).toMatchObject({ role: 'agent', contentType: 'image', deliveryStatus: 'pending' });
    const pdf = await upload(channel, conversationId, new File([PDF], 'factura.pdf', { type: 'application/pdf' }));
    expect(pdf.status, JSON.stringify(pdf.body)).toBe(201);
    await channels.api.runtime.queue.drain();

    const calls = channels.fake.requests.filter((r) => r.endpoint.startsWith('files.') || r.path.startsWith('/slack-upload/') || r.endpoint === 'chat.postMessage');
    expect(calls.map((r) => r.endpoint.startsWith('files.') || r.endpoint === 'chat.postMessage' ? r.endpoint : 'upload')).toEqual([
      'files.getUploadURLExternal',
      'upload',
      'files.completeUploadExternal',
      'chat.postMessage',
      'files.getUploadURLExternal',
      'upload',
      'files.completeUploadExternal',
    ]);
    const [reserve, bytes, complete, caption] = calls;
    expect(reserve.headers.authorization).toBe(`Bearer ${SLACK.botToken}`);
    expect(reserve.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(reserve.body).toEqual({ filename: 'foto.jpg', length: String(JPEG.byteLength) });
    // The pre-signed address never gets the bot token.
    expect(bytes.headers.authorization).toBeUndefined();
    const fileId = bytes.path.split('/').pop()!;
    expect(channels.fake.media.slackUploads.get(fileId)?.bytes).toEqual(JPEG);
    expect(complete.headers.authorization).toBe(`Bearer ${SLACK.botToken}`);
    expect(complete.body).toEqual({ files: [{ id: fileId, title: 'foto.jpg' }], channel_id: 'C0SUPPORT', thread_ts: parent });
    expect(caption.body).toMatchObject({ channel: 'C0SUPPORT', thread_ts: parent, text: 'Here it is' });
    expect(calls[6].body).toMatchObject({ channel_id: 'C0SUPPORT', thread_ts: parent, files: [{ title: 'factura.pdf' }] });
    const pdfId = calls[5].path.split('/').pop()!;
    expect(channels.fake.media.slackUploads.get(pdfId)?.bytes).toEqual(PDF);

    const row = await messageRow(channel, image.body.id);
    expect(row).toMatchObject({ deliveryStatus: 'sent', externalId: `file:${fileId}`, error: null });
    expect(row.metadata.platformMediaIds).toEqual([`file:${fileId}`]);
    expect((await messageRow(channel, pdf.body.id)).deliveryStatus).toBe('sent');
  });

  it('a caption that meets an outage is retried without uploading the file again', async () => {
    const channel = await connected('slack');
    const { conversationId } = await slackThread(channel);
    channels.fake.respond({ api: 'slack', endpoint: 'chat.postMessage' }, { status: 503, body: { ok: false, error: 'service_unavailable' } }, 1);
    const sent = await upload(channel, conversationId, new File([PDF], 'a.pdf', { type: 'application/pdf' }), 'caption');
    expect(sent.status).toBe(201);
    await channels.api.runtime.queue.drain();
    expect(channels.fake.requests.filter((r) => r.endpoint === 'files.completeUploadExternal')).toHaveLength(1);
    expect(channels.fake.requests.filter((r) => r.endpoint === 'chat.postMessage')).toHaveLength(2);
    expect((await messageRow(channel, sent.body.id)).deliveryStatus).toBe('sent');
  });

  it('an outage while completing is retried with a fresh upload; the abandoned one is never shared', async () => {
    const channel = await connected('slack');
    const { conversationId, parent } = await slackThread(channel);
    channels.fake.respond({ api: 'slack', endpoint: 'files.completeUploadExternal' }, { status: 200, body: { ok: false, error: 'ratelimited' } }, 1);
    const sent = await upload(channel, conversationId, new File([PDF], 'a.pdf', { type: 'application/pdf' }));
    expect(sent.status).toBe(201);
    await channels.api.runtime.queue.drain();
    const completes = channels.fake.requests.filter((r) => r.endpoint === 'files.completeUploadExternal');
    expect(completes).toHaveLength(2);
    const [abandoned, shared] = completes.map((r) => r.body.files[0].id as string);
    expect(shared).not.toBe(abandoned);
    expect(completes[1].body).toMatchObject({ channel_id: 'C0SUPPORT', thread_ts: parent });
    const row = await messageRow(channel, sent.body.id);
    expect(row).toMatchObject({ deliveryStatus: 'sent', externalId: `file:${shared}` });
    expect(row.metadata.platformMediaIds).toEqual([`file:${shared}`]);
  });

  it('Slack\u2019s refusal is a failed delivery with its reason, shown in the inbox', async () => {
    const channel = await connected('slack');
    const { conversationId } = await slackThread(channel);
    channels.fake.respond({ api: 'slack', endpoint: 'files.getUploadURLExternal' }, { status: 200, body: { ok: false, error: 'file_uploads_disabled' } });
    const sent = await upload(channel, conversationId, new File([PDF], 'a.pdf', { type: 'application/pdf' }), 'caption');
    expect(sent.status).toBe(201);
    await channels.api.runtime.queue.drain();
    const listed = await channels.api.call('GET', `/api/v1/conversations/${conversationId}/messages`, { token: channel.user.token });
    expect(listed.status, listed.text).toBe(200);
    const failed = (listed.body.data as Array<{ id: string; deliveryStatus: string; error: string | null }>).find((m) => m.id === sent.body.id);
    expect(failed).toMatchObject({ deliveryStatus: 'failed', error: 'Slack: file_uploads_disabled' });
    // Nothing half-sent: neither the bytes nor the caption went out.
    expect(channels.fake.requests.some((r) => r.path.startsWith('/slack-upload/') || r.endpoint === 'chat.postMessage')).toBe(false);
  });
});

describe('agents send files to Discord', () => {
  /** A Discord channel conversation (an /ask in a server channel), the bot's answer already sent. */
  async function discordConversation(channelId: string) {
    channels.fake.setDiscordApp(DISCORD_TOKEN, DISCORD_APP);
    const channel = await connected('discord');
    await channels.fake.gateway.waitFor(2);
    const interaction = {
      type: 2,
      id: String(500000000000000000n + BigInt(Date.now())),
      application_id: DISCORD_APP,
      token: 'interaction-token-files',
      channel_id: channelId,
      guild_id: '777777777777777777',
      member: { user: { id: '888888888888888888', username: 'ana' } },
      data: { id: '333333333333333333', name: 'ask', type: 1, options: [{ name: 'question', type: 3, value: 'Send me the invoice' }] },
      version: 1,
    };
    expect((await channels.toDiscord(channel, interaction)).status).toBe(200);
    await channels.api.runtime.queue.drain();
    const [row] = (await stored(channel.orgId)).filter((r) => r.role === 'user');
    channels.fake.reset();
    return { channel, conversationId: row.conversationId };
  }
  const disconnect = (channel: SlackDiscordChannel) => channels.api.call('POST', `/api/v1/integrations/${channel.integrationId}/disconnect`, { token: channel.user.token });

  it('an image and a PDF go to the channel as Create Message with payload_json and files[0]', async () => {
    const { channel, conversationId } = await discordConversation('616161616161616161');
    const image = await upload(channel, conversationId, new File([JPEG], 'foto.jpg', { type: 'image/jpeg' }));
    const pdf = await upload(channel, conversationId, new File([PDF], 'factura.pdf', { type: 'application/pdf' }), 'Your invoice');
    expect([image.status, pdf.status]).toEqual([201, 201]);
    await channels.api.runtime.queue.drain();
    const [photo, document, caption] = channels.fake.sent();
    for (const [call, name, bytes, type] of [[photo, 'foto.jpg', JPEG, 'image/jpeg'], [document, 'factura.pdf', PDF, 'application/pdf']] as const) {
      expect(call.endpoint).toBe('channels/616161616161616161/messages');
      expect(call.headers.authorization).toBe(`Bot ${DISCORD_TOKEN}`);
      expect(call.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      expect(call.body.payload_json).toEqual({ attachments: [{ id: 0, filename: name }], allowed_mentions: { parse: [] } });
      expect(call.body['files[0]']).toMatchObject({ filename: name, type, size: bytes.byteLength });
      expect(call.body['files[0]'].bytes).toEqual(bytes);
    }
    expect(caption.body).toMatchObject({ content: 'Your invoice' });
    const row = await messageRow(channel, image.body.id);
    expect(row).toMatchObject({ deliveryStatus: 'sent', externalId: expect.stringMatching(/^message:\d+$/) });
    await disconnect(channel);
  });

  it('over Discord\u2019s 10 MiB is refused before anything is stored, with the error shape', async () => {
    const { channel, conversationId } = await discordConversation('626262626262626262');
    const big = new Uint8Array(10.5 * MB);
    big.set(PDF);
    const refused = await upload(channel, conversationId, new File([big], 'big.pdf', { type: 'application/pdf' }));
    expect(refused.status).toBe(413);
    expect(refused.body.error).toMatchObject({ code: 'payload_too_large', message: 'Discord accepts files up to 10 MB; this one is 10.5 MB.' });
    expect((await stored(channel.orgId)).filter((r) => r.role === 'agent')).toHaveLength(0);
    await disconnect(channel);
  });

  it('Discord\u2019s refusal (missing permissions) is a failed delivery with its reason', async () => {
    const { channel, conversationId } = await discordConversation('636363636363636363');
    channels.fake.respond({ api: 'discord', endpoint: 'channels/636363636363636363/messages' }, { status: 403, body: { message: 'Missing Permissions', code: 50013 } });
    const sent = await upload(channel, conversationId, new File([PDF], 'a.pdf', { type: 'application/pdf' }));
    expect(sent.status).toBe(201);
    await channels.api.runtime.queue.drain();
    expect(await messageRow(channel, sent.body.id)).toMatchObject({ deliveryStatus: 'failed', error: 'Discord: Missing Permissions (code 50013)' });
    await disconnect(channel);
  });
});
