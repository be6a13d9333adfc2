import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { messages } from '../../../db/schema';
import { attachmentsOf } from './attachments';
import { receiveRoutedMail } from './email/routing';
import { signMetaPayload } from './meta';
import { slackSignature } from './slack';
import { APP_SECRET, CHANNEL_CREDENTIALS, CUSTOMER, useChannelSuite, type ConnectedChannel } from '../../testing/channel-suite';
import { signedMailgunDelivery, type MailgunFile } from '../../testing/fake-mailgun';
import { SLACK, useSlackDiscord } from '../../testing/slack-discord';
import { whatsappWebhook } from '../../testing/whatsapp-webhook';

/**
 * Inbound channel webhooks as an attacker tries them: unsigned, oversized, deeply nested, the
 * wrong content type, one message id twice in a delivery, media URLs aimed at loopback and cloud
 * metadata, filenames that try to climb out of storage or break a header, and a mail of 10,000
 * parts. Each gets a 4xx in the one error shape (or 200 where the platform must not retry), never
 * a 500, never a fetch to an internal address, and a real customer's message is never lost.
 * Private addresses are refused here as in production (ALLOW_PRIVATE_URLS is not set).
 */
const suite = useChannelSuite({ EMAIL_INBOUND_DOMAIN: 'inbound.hostile.example' });
const SIGNING_KEY = 'key-hostile-0000000000000000000000';

const hookPath = (channel: Pick<ConnectedChannel, 'platform' | 'integrationId'> | EmailChannel) =>
  `/api/v1/channels/${'address' in channel ? 'email' : channel.platform}/${channel.integrationId}`;

async function signedPost(channel: ConnectedChannel, raw: string, headers: Record<string, string> = {}) {
  return suite.api.call('POST', hookPath(channel), { rawBody: raw, headers: { 'x-hub-signature-256': await signMetaPayload(APP_SECRET, raw), ...headers } });
}

const stored = (orgId: string) => suite.api.runtime.services.db.select().from(messages).where(and(eq(messages.organizationId, orgId), eq(messages.role, 'user')));

function expectErrorShape(res: { status: number; body: any; text: string }, status: number) {
  expect(res.status, res.text.slice(0, 300)).toBe(status);
  expect(res.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
}

const whatsappText = (id: string, text = 'Hola, ¿abrís hoy?') =>
  whatsappWebhook({
    phoneNumberId: CHANNEL_CREDENTIALS.whatsapp.phoneNumberId,
    from: CUSTOMER.whatsapp,
    name: 'Ana',
    message: { id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } },
  });

function messengerEvent(mid: string, message: Record<string, unknown>) {
  const page = CHANNEL_CREDENTIALS.messenger.pageId;
  return { sender: { id: CUSTOMER.messenger }, recipient: { id: page }, timestamp: Date.now(), message: { mid, ...message } };
}
const messengerDelivery = (...events: unknown[]) => ({ object: 'page', entry: [{ id: CHANNEL_CREDENTIALS.messenger.pageId, time: Date.now(), messaging: events }] });

interface EmailChannel {
  orgId: string;
  integrationId: string;
  address: string;
  user: ConnectedChannel['user'];
}

async function emailChannel(): Promise<EmailChannel> {
  const { api } = suite;
  const user = await api.signUp();
  const org = await api.createOrg(user, 'Hostile Mail');
  const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Sol', model: 'builtin:extractive', language: 'en' } });
  expect((await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: user.token })).status).toBe(200);
  const created = await api.call('POST', '/api/v1/integrations', { token: user.token, body: { platform: 'email', name: 'Mail', botId: bot.body.id, credentials: { signingKey: SIGNING_KEY } } });
  expect(created.status, created.text).toBe(201);
  expect((await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: user.token })).status).toBe(200);
  return { user, orgId: org.id, integrationId: created.body.id, address: created.body.inboxAddress };
}

async function mail(channel: EmailChannel, fields: Record<string, string>, files: MailgunFile[] = [], signingKey = SIGNING_KEY) {
  const delivery = await signedMailgunDelivery(signingKey, { recipient: channel.address, sender: 'eve@example.org', from: 'Eve <eve@example.org>', subject: 'Hola', 'body-plain': 'Hi', ...fields }, files);
  return suite.api.call('POST', hookPath(channel), { rawBody: delivery.body as Uint8Array<ArrayBuffer>, headers: { 'content-type': delivery.contentType } });
}

/** A stored file as the inbox reads it (the raw response: its headers are what is checked). */
const serveAttachment = (channel: EmailChannel, row: { id: string; conversationId: string }, index: number) =>
  fetch(`${suite.api.baseUrl}/api/v1/conversations/${row.conversationId}/messages/${row.id}/attachments/${index}`, {
    headers: { authorization: `Bearer ${channel.user.token}`, 'x-organization-id': channel.orgId },
  });

describe('unsigned and oversized deliveries', () => {
  it('every channel refuses a delivery without its signature with 401 in the error shape, storing nothing', async () => {
    for (const platform of ['whatsapp', 'messenger', 'instagram', 'telegram'] as const) {
      const channel = await suite.connected(platform);
      const res = await suite.api.call('POST', hookPath(channel), { rawBody: JSON.stringify(whatsappText(`wamid.UNSIGNED.${platform}`)), headers: { 'content-type': 'application/json' } });
      expectErrorShape(res, 401);
      expect(await stored(channel.orgId)).toHaveLength(0);
    }
    const email = await emailChannel();
    expectErrorShape(await mail(email, {}, [], 'key-not-the-channels-000000000000000'), 401);
    expect(await stored(email.orgId)).toHaveLength(0);
  });

  it('a body over the limit is 413 before its signature is even read, on the JSON channels and on email', async () => {
    const channel = await suite.connected('telegram');
    const huge = JSON.stringify({ update_id: 1, padding: 'x'.repeat(suite.api.runtime.config.MAX_JSON_BYTES) });
    expectErrorShape(await suite.api.call('POST', hookPath(channel), { rawBody: huge, headers: { connection: 'close' } }), 413);
    const email = await emailChannel();
    const big: MailgunFile = { field: 'attachment-1', filename: 'big.bin', type: 'application/octet-stream', bytes: new Uint8Array(suite.api.runtime.config.EMAIL_MAX_BYTES + 1) };
    const res = await mail(email, {}, [big]);
    expectErrorShape(res, 413);
    expect(await stored(email.orgId)).toHaveLength(0);
  });
});

describe('signed but hostile bodies', () => {
  it('JSON nested 200,000 deep is a 400, and nesting kept in a stored field never reaches a 500', async () => {
    const channel = await suite.connected('whatsapp');
    expectErrorShape(await signedPost(channel, '['.repeat(200_000) + ']'.repeat(200_000)), 400);
    // A message whose interactive part is 5,000 objects deep: parsed, and the message is kept.
    const deep = '{"nested":'.repeat(5_000) + '{"id":"leaf","title":"Sí"}' + '}'.repeat(5_000);
    const payload = whatsappWebhook({
      phoneNumberId: CHANNEL_CREDENTIALS.whatsapp.phoneNumberId,
      from: CUSTOMER.whatsapp,
      name: 'Ana',
      message: { id: 'wamid.DEEP1', timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'Hola' }, context: 'DEEP', interactive: 'DEEP' },
    });
    const res = await signedPost(channel, JSON.stringify(payload).replaceAll('"DEEP"', deep));
    expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
    if (res.status >= 400) expectErrorShape(res, res.status);
    else expect((await stored(channel.orgId)).map((m) => m.content)).toEqual(['Hola']);
  });

  it('the content type does not matter to a signed JSON delivery; email refuses a non-form with 415', async () => {
    const channel = await suite.connected('whatsapp');
    const res = await signedPost(channel, JSON.stringify(whatsappText('wamid.CTYPE1')), { 'content-type': 'text/plain' });
    expect(res.status, res.text).toBe(200);
    expect(await stored(channel.orgId)).toHaveLength(1);
    const email = await emailChannel();
    expectErrorShape(await suite.api.call('POST', hookPath(email), { body: { from: 'eve@example.org' } }), 415);
  });

  it('one message id twice in a delivery (and again in the next) is stored and answered once', async () => {
    const whatsapp = await suite.connected('whatsapp');
    const doubled = whatsappText('wamid.TWICE1');
    doubled.entry[0].changes[0].value.messages.push(doubled.entry[0].changes[0].value.messages[0]);
    for (let i = 0; i < 2; i++) expect((await signedPost(whatsapp, JSON.stringify(doubled))).status).toBe(200);
    const messenger = await suite.connected('messenger');
    const twice = messengerDelivery(messengerEvent('m_TWICE1', { text: 'Hola' }), messengerEvent('m_TWICE1', { text: 'Hola' }));
    for (let i = 0; i < 2; i++) expect((await signedPost(messenger, JSON.stringify(twice))).status).toBe(200);
    await suite.api.runtime.queue.drain();
    expect(await stored(whatsapp.orgId)).toHaveLength(1);
    expect(await stored(messenger.orgId)).toHaveLength(1);
    // One answer each: WhatsApp's to the phone number, Messenger's to the page.
    expect(suite.fake.sent().map((r) => r.path.replace(/^\/v[\d.]+/, '')).sort()).toEqual([`/${CHANNEL_CREDENTIALS.whatsapp.phoneNumberId}/messages`, '/me/messages'].sort());
  });
});

describe('media URLs aimed inside', () => {
  it('attachment URLs at loopback, private or metadata addresses are never fetched; the message is kept and answered', async () => {
    const channel = await suite.connected('messenger');
    const loopback = suite.fake.media.cdnUrl('inside.jpg', { mimeType: 'image/jpeg', bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]) });
    const port = new URL(loopback).port;
    const urls = [
      loopback,
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      `http://2130706433:${port}/cdn/inside.jpg`,
      `http://0x7f000001:${port}/cdn/inside.jpg`,
      `http://[::ffff:127.0.0.1]:${port}/cdn/inside.jpg`,
      'http://metadata.google.internal./computeMetadata/v1/',
      'http://10.0.0.1/x.jpg',
    ];
    const attachments = urls.map((url) => ({ type: 'image', payload: { url } }));
    expect((await signedPost(channel, JSON.stringify(messengerDelivery(messengerEvent('m_SSRF1', { text: 'Mira esto', attachments }))))).status).toBe(200);
    await suite.api.runtime.queue.drain();
    const [row] = await stored(channel.orgId);
    expect(row.content).toContain('Mira esto');
    const files = attachmentsOf(row.metadata);
    expect(files).toHaveLength(urls.length);
    for (const file of files) expect(file, JSON.stringify(file)).toMatchObject({ status: 'failed', blobKey: null, error: expect.any(String) });
    expect(suite.fake.requests.filter((r) => r.path.startsWith('/cdn/'))).toEqual([]);
    // The customer still gets an answer.
    expect(suite.fake.sent()).toHaveLength(1);
  });
});

describe('email', () => {
  it('filenames with path separators, dot segments and control characters stay inside the message and out of headers', async () => {
    const email = await emailChannel();
    const names = ['../../../etc/passwd', '..\\..\\windows\\win.ini', 'a\u0000b\u0007c.pdf', '\u202Efdp.exe', '....', '/'];
    const files = names.map((filename, i) => ({ field: `attachment-${i + 1}`, filename, type: 'application/pdf', bytes: new TextEncoder().encode(`%PDF-1.4 ${i}`) }));
    const res = await mail(email, {}, files);
    expect(res.status, res.text).toBe(200);
    const [row] = await stored(email.orgId);
    const kept = attachmentsOf(row.metadata);
    expect(kept).toHaveLength(names.length);
    const prefix = `org/${email.orgId}/attachments/${row.id}/`;
    for (const file of kept) {
      expect(file.status).toBe('stored');
      expect(file.blobKey!.startsWith(prefix), file.blobKey!).toBe(true);
      expect(file.blobKey!.slice(prefix.length)).toMatch(/^\d+-[\w.\- ]+$/);
      expect(file.blobKey!.slice(prefix.length)).not.toMatch(/^\d+-\./);
    }
    for (const [index] of kept.entries()) {
      const served = await serveAttachment(email, row, index);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-disposition')).toMatch(/^(inline|attachment); filename="[\x20-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%._~!'()*-]*$/);
    }
  });

  it('a routed mail of 10,000 parts bounces naming the limit; one with a CR LF in an encoded filename is stored without it', async () => {
    const email = await emailChannel();
    const routed = (parts: string[], messageId: string, rejections: string[]) => {
      const boundary = 'b0undary';
      const raw = new TextEncoder().encode(
        `From: Eve <eve@example.org>\r\nTo: ${email.address}\r\nSubject: Partes\r\nMessage-ID: <${messageId}@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n` +
          `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n¿Tenéis tallas grandes?\r\n` +
          parts.map((part) => `--${boundary}\r\n${part}\r\n`).join('') +
          `--${boundary}--\r\n`,
      );
      return receiveRoutedMail(suite.api.runtime.services, { from: 'eve@example.org', to: email.address, raw: new Blob([raw]).stream(), rawSize: raw.byteLength, setReject: (reason) => void rejections.push(reason) });
    };
    const file = (name: string) => `Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*=UTF-8''${name}\r\n\r\nx`;

    // The sender gets a bounce that says why (as for a mail over the size limit), rather than silence.
    const bounced: string[] = [];
    expect(await routed(Array.from({ length: 10_000 }, (_, i) => file(`p${i}.bin`)), 'parts-10000', bounced)).toBe('rejected');
    expect(bounced).toEqual([expect.stringMatching(/part count of 500 parts exceeded/)]);
    expect(await stored(email.orgId)).toHaveLength(0);

    const none: string[] = [];
    expect(await routed([file('a%0D%0ASet-Cookie%3A%20x%3D1%00.bin')], 'crlf-name', none)).toBe('stored');
    expect(none).toEqual([]);
    const [row] = await stored(email.orgId);
    expect(row.content).toContain('¿Tenéis tallas grandes?');
    const [kept] = attachmentsOf(row.metadata);
    expect(kept.status).toBe('stored');
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(kept.filename).not.toMatch(/[\u0000-\u001f]/);
    const served = await serveAttachment(email, row, 0);
    expect(served.status).toBe(200);
    expect(served.headers.get('set-cookie')).toBeNull();
  });

  it('a Mailgun form with 10,000 file fields keeps at most 50 files and the message', async () => {
    const email = await emailChannel();
    const files = Array.from({ length: 10_000 }, (_, i) => ({ field: `attachment-${(i % 999) + 1}`, filename: `f${i}.txt`, type: 'text/plain', bytes: new Uint8Array([120]) }));
    const res = await mail(email, { 'body-plain': 'Muchos ficheros' }, files);
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    const [row] = await stored(email.orgId);
    expect(row.content).toContain('Muchos ficheros');
    expect(attachmentsOf(row.metadata).length).toBeLessThanOrEqual(50);
  });
});

describe('Slack and Discord', () => {
  const sd = useSlackDiscord();

  it('a signed Slack body that is a form, not JSON, or JSON nested 200,000 deep, is a 400 in the error shape', async () => {
    const channel = await sd.connected('slack');
    const form = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions' }))}`;
    for (const raw of [form, '['.repeat(200_000) + ']'.repeat(200_000)]) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const res = await sd.api.call('POST', `/api/v1/channels/slack/${channel.integrationId}`, {
        rawBody: raw,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': await slackSignature(SLACK.signingSecret, timestamp, raw) },
      });
      expectErrorShape(res, 400);
    }
    expect(await sd.stored(channel.orgId)).toHaveLength(0);
  });

  it('Discord: unsigned is 401, over the limit is 413, and a signed interaction of the wrong shape is never a 500', async () => {
    const channel = await sd.connected('discord');
    const path = `/api/v1/channels/discord/${channel.integrationId}`;
    expectErrorShape(await sd.api.call('POST', path, { body: { type: 1 } }), 401);
    expectErrorShape(await sd.api.call('POST', path, { rawBody: 'x'.repeat(sd.api.runtime.config.MAX_JSON_BYTES + 1), headers: { connection: 'close' } }), 413);
    for (const payload of [{ type: 2 }, { type: 2, data: 'not an object', member: [] }, { type: 99 }, [], 'text']) {
      const res = await sd.toDiscord(channel, payload);
      expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
      if (res.status >= 400) expectErrorShape(res, res.status);
    }
  });
});
