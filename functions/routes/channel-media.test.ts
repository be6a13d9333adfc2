import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { conversations, messages } from '../../db/schema';
import { attachmentsOf } from '../core/channels/attachments';
import { CHANNEL_CREDENTIALS, CUSTOMER, useChannelSuite, type ConnectedChannel, type MessagingPlatform } from '../testing/channel-suite';
import { OUTAGE, type FakePlatforms } from '../testing/fake-platforms';
import { whatsappWebhook } from '../testing/whatsapp-webhook';
import type { TestApi, TestUser } from '../testing/harness';
import { uploadAgentFile } from '../testing/inbox';

/**
 * Media both ways, end to end: the real app over HTTP, the platforms (and their file servers)
 * faked on loopback. Incoming files are listed pending by the webhook and fetched by a job into
 * blob storage; the inbox reads them through an org-scoped route; agents send files out through
 * each platform's upload call.
 */
const suite = useChannelSuite({ ALLOW_PRIVATE_URLS: 'true' }); // The fake file servers are on loopback.
let api: TestApi;
let fake: FakePlatforms;
beforeAll(() => ({ api, fake } = suite));

type Platform = MessagingPlatform;
const CREDENTIALS = CHANNEL_CREDENTIALS;

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, ...new Array(500).fill(7), 0xff, 0xd9]);
const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
const MB = 1024 * 1024;

type Channel = ConnectedChannel;
const connectedChannel = (platform: Platform, user?: TestUser) => suite.connected(platform, user);

async function deliver(channel: Channel, payload: unknown) {
  const res = await suite.deliver(channel, payload);
  expect(res.status, res.text).toBe(200);
  return res;
}

let sequence = 0;
function whatsappMedia(type: 'image' | 'audio' | 'video' | 'document' | 'sticker', mediaId: string, extra: Record<string, unknown> = {}) {
  sequence += 1;
  return whatsappWebhook({
    phoneNumberId: CREDENTIALS.whatsapp.phoneNumberId,
    from: CUSTOMER.whatsapp,
    name: 'Ana',
    message: { id: `wamid.MEDIA${sequence}`, timestamp: '1733400000', type, [type]: { id: mediaId, mime_type: 'image/jpeg', sha256: 'x', ...extra } },
  });
}

function telegramDocument(fileId: string, fileName: string, mimeType: string) {
  sequence += 1;
  return {
    update_id: 900000 + sequence,
    message: {
      message_id: 100 + sequence,
      from: { id: Number(CUSTOMER.telegram), is_bot: false, first_name: 'Ana' },
      chat: { id: Number(CUSTOMER.telegram), first_name: 'Ana', type: 'private' },
      date: 1733400000,
      document: { file_id: fileId, file_unique_id: `u${fileId}`, file_name: fileName, mime_type: mimeType, file_size: 1000 },
    },
  };
}

function messengerImage(platform: 'messenger' | 'instagram', url: string) {
  sequence += 1;
  const account = platform === 'messenger' ? CREDENTIALS.messenger.pageId : CREDENTIALS.instagram.accountId;
  return {
    object: platform === 'messenger' ? 'page' : 'instagram',
    entry: [
      {
        id: account,
        time: 1733400000000,
        messaging: [{ sender: { id: CUSTOMER[platform] }, recipient: { id: account }, timestamp: 1733400000000, message: { mid: `m_MEDIA${sequence}`, attachments: [{ type: 'image', payload: { url } }] } }],
      },
    ],
  };
}

async function userMessages(orgId: string) {
  return (await api.runtime.services.db.select().from(messages).where(eq(messages.organizationId, orgId)).orderBy(messages.createdAt)).filter((m) => m.role === 'user');
}

async function fetchAttachment(channel: Channel, message: { id: string; conversationId: string }, index = 0, user = channel.user, orgId = channel.orgId) {
  return fetch(`${api.baseUrl}/api/v1/conversations/${message.conversationId}/messages/${message.id}/attachments/${index}`, {
    headers: { authorization: `Bearer ${user.token}`, 'x-organization-id': orgId },
  });
}

describe('incoming media', () => {
  it('WhatsApp image: stored pending at once, downloaded by the job with the token, served to the inbox only', async () => {
    const channel = await connectedChannel('whatsapp');
    fake.media.whatsapp('1111', { mimeType: 'image/jpeg', bytes: JPEG });
    await deliver(channel, whatsappMedia('image', '1111', { caption: 'Is this the right part?' }));
    // The webhook answered before any download: the file is listed pending.
    const [pending] = await userMessages(channel.orgId);
    expect(pending.content).toBe('Is this the right part?');
    expect(attachmentsOf(pending.metadata)).toEqual([{ kind: 'image', status: 'pending', mimeType: 'image/jpeg', size: null, filename: 'image.jpg', blobKey: null }]);
    expect(fake.requests.some((r) => r.endpoint === '1111')).toBe(false);

    await api.runtime.queue.drain();
    const [row] = await userMessages(channel.orgId);
    const [stored] = attachmentsOf(row.metadata);
    expect(stored).toMatchObject({ kind: 'image', status: 'stored', mimeType: 'image/jpeg', size: JPEG.byteLength, error: null });
    expect(stored.blobKey).toBe(`org/${channel.orgId}/attachments/${row.id}/0-image.jpg`);
    const lookup = fake.requests.find((r) => r.endpoint === '1111')!;
    expect(lookup.method).toBe('GET');
    expect(lookup.query.phone_number_id).toBe(CREDENTIALS.whatsapp.phoneNumberId);
    const download = fake.requests.find((r) => r.path === '/wa-media/1111')!;
    expect(download.headers.authorization).toBe(`Bearer ${CREDENTIALS.whatsapp.accessToken}`);
    // The bot answered after the file was in.
    expect(fake.sent()).toHaveLength(1);

    const res = await fetchAttachment(channel, row);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="image.jpg"/);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(JPEG);

    // Another organization's member cannot read it, with their organization or with this one.
    const other = await connectedChannel('whatsapp');
    expect((await fetchAttachment(channel, row, 0, other.user, other.orgId)).status).toBe(404);
    expect((await fetchAttachment(channel, row, 0, other.user, channel.orgId)).status).toBe(404);
    expect((await fetchAttachment(channel, row, 1)).status).toBe(404);
    const unauthenticated = await fetch(`${api.baseUrl}/api/v1/conversations/${row.conversationId}/messages/${row.id}/attachments/0`);
    expect(unauthenticated.status).toBe(401);
  });

  it('too large: refused by the declared length, and by counting when no length is declared', async () => {
    const channel = await connectedChannel('whatsapp');
    fake.media.whatsapp('2222', { mimeType: 'image/jpeg', size: 6 * MB, head: JPEG.subarray(0, 12) });
    fake.media.whatsapp('3333', { mimeType: 'image/jpeg', size: 64 * MB, head: JPEG.subarray(0, 12), chunked: true });
    await deliver(channel, whatsappMedia('image', '2222'));
    await deliver(channel, whatsappMedia('image', '3333'));
    await api.runtime.queue.drain();
    const [declared, counted] = (await userMessages(channel.orgId)).map((m) => attachmentsOf(m.metadata)[0]);
    expect(declared).toMatchObject({ status: 'too_large', blobKey: null, size: 6 * MB });
    expect(declared.error).toMatch(/larger than .*5 MB|limit 5242880/);
    // The declared size (from the media lookup) stopped it before the download.
    expect(fake.media.served.get('/wa-media/2222')).toBeUndefined();
    expect(counted).toMatchObject({ status: 'too_large', blobKey: null });
    expect(counted.error).toMatch(/larger than the 5 MB/);
    // Counting stopped the chunked download well before its 64 MB were sent.
    expect(fake.media.served.get('/wa-media/3333')!).toBeLessThan(32 * MB);
  });

  it('type checks: an "image" that is HTML is failed, not stored', async () => {
    const channel = await connectedChannel('whatsapp');
    fake.media.whatsapp('4444', { mimeType: 'image/jpeg', bytes: new TextEncoder().encode('<!doctype html><script>alert(1)</script>') });
    fake.media.whatsapp('5555', { mimeType: 'image/jpeg', contentType: 'text/html', bytes: JPEG });
    await deliver(channel, whatsappMedia('image', '4444'));
    await deliver(channel, whatsappMedia('image', '5555'));
    await api.runtime.queue.drain();
    const [html, header] = (await userMessages(channel.orgId)).map((m) => attachmentsOf(m.metadata)[0]);
    expect(html).toMatchObject({ status: 'failed', blobKey: null });
    expect(html.error).toMatch(/not a JPEG, PNG, GIF or WebP image/);
    expect(header).toMatchObject({ status: 'failed' });
    expect(header.error).toMatch(/text\/html/);
  });

  it('a platform outage is retried; a file that never comes is failed after the last attempt', async () => {
    const channel = await connectedChannel('whatsapp');
    fake.media.whatsapp('6666', { mimeType: 'image/jpeg', bytes: JPEG });
    fake.respond({ endpoint: '6666' }, OUTAGE, 1);
    await deliver(channel, whatsappMedia('image', '6666'));
    // The retry may be in the background runner's hands when a drain returns: wait for it to settle.
    const settled = async () => {
      await api.runtime.queue.drain();
      return (await userMessages(channel.orgId)).map((m) => attachmentsOf(m.metadata)[0].status);
    };
    await expect.poll(settled, { timeout: 20_000 }).toEqual(['stored']);
    expect(fake.requests.filter((r) => r.endpoint === '6666')).toHaveLength(2);

    fake.respond({ endpoint: '7777' }, OUTAGE);
    await deliver(channel, whatsappMedia('image', '7777'));
    await expect.poll(settled, { timeout: 20_000 }).toEqual(['stored', 'failed']);
    const last = (await userMessages(channel.orgId)).at(-1)!;
    expect(attachmentsOf(last.metadata)[0]).toMatchObject({ status: 'failed' });
    expect(attachmentsOf(last.metadata)[0].error).toMatch(/temporarily unavailable/);
    // The give-up still let the bot answer.
    expect(fake.sent().length).toBe(2);
  });

  it('Telegram document through getFile, served as a download; over 20 MB is too large', async () => {
    const channel = await connectedChannel('telegram');
    fake.media.telegram('BQACAgQ-doc', { mimeType: 'application/pdf', contentType: 'application/octet-stream', bytes: PDF });
    fake.media.telegram('BQACAgQ-big', { mimeType: 'video/mp4', size: 21 * MB });
    await deliver(channel, telegramDocument('BQACAgQ-doc', 'factura marzo.pdf', 'application/pdf'));
    await deliver(channel, telegramDocument('BQACAgQ-big', 'video.mp4', 'video/mp4'));
    await api.runtime.queue.drain();
    const rows = await userMessages(channel.orgId);
    const [doc, big] = rows.map((m) => attachmentsOf(m.metadata)[0]);
    expect(doc).toMatchObject({ kind: 'document', status: 'stored', mimeType: 'application/pdf', filename: 'factura marzo.pdf', size: PDF.byteLength });
    expect(doc.blobKey).toMatch(/\/0-factura_marzo\.pdf$/);
    expect(big).toMatchObject({ status: 'too_large' });
    expect(big.error).toMatch(/20 MB/);
    const getFile = fake.requests.find((r) => r.endpoint === 'getFile')!;
    expect(getFile.body).toEqual({ file_id: 'BQACAgQ-doc' });

    const res = await fetchAttachment(channel, rows[0]);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`inline; filename="factura marzo.pdf"; filename*=UTF-8''factura%20marzo.pdf`);
    const forced = await fetch(`${api.baseUrl}/api/v1/conversations/${rows[0].conversationId}/messages/${rows[0].id}/attachments/0?download=1`, {
      headers: { authorization: `Bearer ${channel.user.token}`, 'x-organization-id': channel.orgId },
    });
    expect(forced.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(new Uint8Array(await forced.arrayBuffer())).toEqual(PDF);
  });

  it('Messenger and Instagram attachment URLs are downloaded (no token sent); a private address is refused', async () => {
    for (const platform of ['messenger', 'instagram'] as const) {
      const channel = await connectedChannel(platform);
      const url = fake.media.cdnUrl(`${platform}.jpg`, { mimeType: 'image/jpeg', bytes: JPEG });
      await deliver(channel, messengerImage(platform, url));
      await api.runtime.queue.drain();
      const [row] = await userMessages(channel.orgId);
      expect(row.metadata.platformAttachments).toEqual([expect.objectContaining({ type: 'image', url })]);
      expect(attachmentsOf(row.metadata)[0]).toMatchObject({ kind: 'image', status: 'stored', size: JPEG.byteLength });
      expect(fake.requests.find((r) => r.path === `/cdn/${platform}.jpg`)?.headers.authorization).toBeUndefined();
    }
  });

  it('a document served as HTML is stored but never served as HTML', async () => {
    const channel = await connectedChannel('telegram');
    fake.media.telegram('BQ-html', { mimeType: 'text/plain', contentType: 'application/octet-stream', bytes: new TextEncoder().encode('<html><script>x</script></html>') });
    await deliver(channel, telegramDocument('BQ-html', 'notes.txt', 'text/plain'));
    await api.runtime.queue.drain();
    const [row] = await userMessages(channel.orgId);
    expect(attachmentsOf(row.metadata)[0].status).toBe('stored');
    const res = await fetchAttachment(channel, row);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});

async function conversationOf(channel: Channel, payload: unknown) {
  await deliver(channel, payload);
  await api.runtime.queue.drain();
  const [row] = await userMessages(channel.orgId);
  return row.conversationId;
}

function upload(channel: Channel, conversationId: string, file: File, caption?: string, token = channel.user.token, orgId = channel.orgId) {
  return uploadAgentFile(api, { token, orgId }, conversationId, file, caption);
}

const jpegFile = (name = 'foto.jpg') => new File([JPEG], name, { type: 'image/jpeg' });

describe('agents send files', () => {
  it('WhatsApp: uploaded to /{phone-number-id}/media, then sent by media id, then the caption', async () => {
    const channel = await connectedChannel('whatsapp');
    const conversationId = await conversationOf(channel, whatsappMedia('document', '8888', { filename: 'a.pdf', mime_type: 'application/pdf' }));
    fake.reset();
    const sent = await upload(channel, conversationId, jpegFile(), 'Here it is');
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(sent.body).toMatchObject({ role: 'agent', contentType: 'image', content: 'Here it is', deliveryStatus: 'pending' });
    await api.runtime.queue.drain();
    const version = api.runtime.config.META_GRAPH_API_VERSION;
    const uploadCall = fake.requests.find((r) => r.endpoint === `${CREDENTIALS.whatsapp.phoneNumberId}/media`)!;
    expect(uploadCall.path).toBe(`/${version}/${CREDENTIALS.whatsapp.phoneNumberId}/media`);
    expect(uploadCall.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(uploadCall.body).toMatchObject({ messaging_product: 'whatsapp', type: 'image/jpeg', file: { filename: 'foto.jpg', type: 'image/jpeg', size: JPEG.byteLength } });
    const [image, caption] = fake.sent();
    expect(image.body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER.whatsapp, type: 'image', image: { id: expect.stringMatching(/^\d+$/) } });
    expect(caption.body).toMatchObject({ type: 'text', text: { body: 'Here it is' } });
    const [row] = await api.runtime.services.db.select().from(messages).where(eq(messages.id, sent.body.id));
    expect(row.deliveryStatus).toBe('sent');
    expect(row.metadata.platformMediaIds).toHaveLength(1);
    // The inbox reads the agent's own file too.
    expect((await fetchAttachment(channel, row)).status).toBe(200);
  });

  it('WhatsApp refuses what it does not take, with a clear 4xx', async () => {
    const channel = await connectedChannel('whatsapp');
    const conversationId = await conversationOf(channel, whatsappMedia('document', '8889', { filename: 'a.pdf', mime_type: 'application/pdf' }));
    const big = new Uint8Array(6 * MB);
    big.set(JPEG.subarray(0, 12));
    const tooBig = await upload(channel, conversationId, new File([big], 'big.jpg', { type: 'image/jpeg' }));
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.message).toMatch(/WhatsApp accepts image files up to 5 MB/);
    const webp = new Uint8Array([0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50, 1, 2, 3]);
    const wrongType = await upload(channel, conversationId, new File([webp], 'x.webp', { type: 'image/webp' }));
    expect(wrongType.status).toBe(415);
    expect(wrongType.body.error.message).toMatch(/image\/jpeg, image\/png/);
    const empty = await upload(channel, conversationId, new File([], 'x.txt', { type: 'text/plain' }));
    expect(empty.status).toBe(422);
  });

  it('Messenger and Instagram: the Send API with an attachment and the file as filedata', async () => {
    for (const platform of ['messenger', 'instagram'] as const) {
      const channel = await connectedChannel(platform);
      const conversationId = await conversationOf(channel, messengerImage(platform, fake.media.cdnUrl('in.jpg', { mimeType: 'image/jpeg', bytes: JPEG })));
      fake.reset();
      const sent = await upload(channel, conversationId, new File([PDF], 'presupuesto.pdf', { type: 'application/pdf' }));
      expect(sent.status, JSON.stringify(sent.body)).toBe(201);
      await api.runtime.queue.drain();
      const [call] = fake.sent();
      expect(call.endpoint).toBe('me/messages');
      expect(call.headers.authorization).toBe(`Bearer ${CREDENTIALS[platform].pageAccessToken}`);
      expect(call.body).toMatchObject({
        recipient: { id: CUSTOMER[platform] },
        messaging_type: 'RESPONSE',
        message: { attachment: { type: 'file', payload: { is_reusable: false } } },
        filedata: { filename: 'presupuesto.pdf', type: 'application/pdf', size: PDF.byteLength },
      });
      expect(fake.sent()).toHaveLength(1);
    }
  });

  it('Telegram: sendPhoto and sendDocument, multipart', async () => {
    const channel = await connectedChannel('telegram');
    fake.media.telegram('BQ-in', { mimeType: 'application/pdf', bytes: PDF });
    const conversationId = await conversationOf(channel, telegramDocument('BQ-in', 'in.pdf', 'application/pdf'));
    fake.reset();
    expect((await upload(channel, conversationId, jpegFile('plano.jpg'))).status).toBe(201);
    expect((await upload(channel, conversationId, new File([PDF], 'a.pdf', { type: 'application/pdf' }))).status).toBe(201);
    await api.runtime.queue.drain();
    const [photo, doc] = fake.sent();
    expect(photo.path).toBe(`/bot${CREDENTIALS.telegram.botToken}/sendPhoto`);
    expect(photo.body).toMatchObject({ chat_id: CUSTOMER.telegram, photo: { filename: 'plano.jpg', type: 'image/jpeg', size: JPEG.byteLength } });
    expect(doc.endpoint).toBe('sendDocument');
    expect(doc.body).toMatchObject({ chat_id: CUSTOMER.telegram, document: { filename: 'a.pdf', size: PDF.byteLength } });
    // A file sent without a caption still gives the conversation list a line to show.
    const [conversation] = await api.runtime.services.db.select().from(conversations).where(eq(conversations.id, conversationId));
    expect(conversation.lastMessagePreview).toBe('📎 a.pdf');
  });

  it('a platform outage while uploading is retried without sending the file twice', async () => {
    const channel = await connectedChannel('telegram');
    fake.media.telegram('BQ-in2', { mimeType: 'application/pdf', bytes: PDF });
    const conversationId = await conversationOf(channel, telegramDocument('BQ-in2', 'in.pdf', 'application/pdf'));
    fake.reset();
    // The file goes; the caption's first try meets an outage.
    fake.respond({ endpoint: 'sendMessage' }, { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } }, 1);
    expect((await upload(channel, conversationId, jpegFile(), 'caption')).status).toBe(201);
    await api.runtime.queue.drain();
    expect(fake.requests.filter((r) => r.endpoint === 'sendPhoto')).toHaveLength(1);
    expect(fake.requests.filter((r) => r.endpoint === 'sendMessage')).toHaveLength(2);
  });

  it('cross-tenant: another organization cannot send into the conversation', async () => {
    const channel = await connectedChannel('telegram');
    fake.media.telegram('BQ-in3', { mimeType: 'application/pdf', bytes: PDF });
    const conversationId = await conversationOf(channel, telegramDocument('BQ-in3', 'in.pdf', 'application/pdf'));
    const other = await connectedChannel('telegram');
    expect((await upload(channel, conversationId, jpegFile(), undefined, other.user.token, other.orgId)).status).toBe(404);
    expect((await upload(channel, conversationId, jpegFile(), undefined, other.user.token, channel.orgId)).status).toBe(404);
  });
});
