import { readFileSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contacts, conversations, messages } from '../../db/schema';
import { receiveRoutedMail } from '../core/channels/email/routing';
import { createTestApi, type TestApi, type TestUser } from '../testing/harness';
import { mailgunFieldsFromMime, signedMailgunDelivery, type MailgunFile } from '../testing/fake-mailgun';

/**
 * The email channel end to end over HTTP: Mailgun inbound-route deliveries built byte for byte as
 * Mailgun sends them (multipart form, HMAC-SHA256 signature over timestamp+token), real MIME
 * fixtures, replies through the local outbox (the mail port) with their threading headers, and
 * Cloudflare Email Routing's raw-MIME path.
 */
let api: TestApi;
const OPERATOR_KEY = 'operator-outbox-key-for-email-tests';

beforeAll(async () => {
  api = await createTestApi({ env: { CHANNEL_RETRY_BASE_SECONDS: '0', DEV_OUTBOX_KEY: OPERATOR_KEY, EMAIL_INBOUND_DOMAIN: 'inbound.test.example' } });
});
afterAll(async () => {
  await api.close();
});
beforeEach(async () => {
  await api.runtime.queue.drain();
});

const SIGNING_KEY = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';
const KNOWLEDGE = 'Opening hours: the shop opens Monday to Saturday from 10:00 to 20:00. On Sunday the shop is closed.';
const fixture = (name: string) => readFileSync(new URL(`../core/channels/fixtures/email/${name}`, import.meta.url));

interface EmailChannel {
  user: TestUser;
  orgId: string;
  integrationId: string;
  address: string;
}

async function emailChannel(signingKey = SIGNING_KEY): Promise<EmailChannel> {
  const user = await api.signUp();
  const org = await api.createOrg(user, 'Acme Shop');
  const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: user.token, body: { name: 'Help' } });
  await api.call('POST', `/api/v1/knowledge-bases/${kb.body.id}/documents`, { token: user.token, body: { type: 'text', name: 'Hours', text: KNOWLEDGE } });
  await api.runtime.queue.drain();
  const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Sol', model: 'builtin:extractive', language: 'en', knowledgeBaseIds: [kb.body.id] } });
  expect((await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: user.token })).status).toBe(200);
  const created = await api.call('POST', '/api/v1/integrations', { token: user.token, body: { platform: 'email', name: 'Acme support', botId: bot.body.id, credentials: { signingKey } } });
  expect(created.status, created.text).toBe(201);
  expect(created.body.inboxAddress).toMatch(/^acme-shop[a-z0-9-]*-[a-z2-9]{10}@inbound\.test\.example$/);
  expect(created.body.credentials.fields).toEqual(['signingKey']);
  expect(created.body.webhook.verifyToken).toBeNull();
  const connected = await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: user.token });
  expect(connected.status, connected.text).toBe(200);
  expect(connected.body).toMatchObject({ status: 'connected', inboxAddress: created.body.inboxAddress, account: { id: created.body.inboxAddress } });
  return { user, orgId: org.id, integrationId: created.body.id, address: created.body.inboxAddress };
}

async function post(channel: Pick<EmailChannel, 'integrationId'>, delivery: { body: Uint8Array; contentType: string }) {
  return api.call('POST', `/api/v1/channels/email/${channel.integrationId}`, { rawBody: delivery.body as Uint8Array<ArrayBuffer>, headers: { 'content-type': delivery.contentType } });
}

/** A fixture delivered as Mailgun forwards it, signed with `key`. */
async function deliverFixture(channel: EmailChannel, name: string, options: { key?: string; replace?: Record<string, string>; timestamp?: number; token?: string } = {}) {
  let raw = fixture(name).toString('latin1');
  for (const [from, to] of Object.entries(options.replace ?? {})) raw = raw.split(from).join(to);
  const { fields, files } = await mailgunFieldsFromMime(Buffer.from(raw, 'latin1'), channel.address);
  const delivery = await signedMailgunDelivery(options.key ?? SIGNING_KEY, fields, files, { timestamp: options.timestamp, token: options.token });
  return { res: await post(channel, delivery), delivery };
}

async function simpleMail(channel: EmailChannel, fields: Record<string, string>, files: MailgunFile[] = []) {
  const delivery = await signedMailgunDelivery(SIGNING_KEY, { recipient: channel.address, sender: 'luis@example.org', from: 'Luis <luis@example.org>', subject: 'Hola', 'body-plain': 'When do you open?', ...fields }, files);
  return post(channel, delivery);
}

async function storedMessages(orgId: string) {
  return api.runtime.services.db.select().from(messages).where(eq(messages.organizationId, orgId)).orderBy(messages.createdAt);
}

/** Mail the local outbox holds for `address`, sent by this channel, oldest first. */
async function outboxTo(address: string, channel: Pick<EmailChannel, 'address'>) {
  await api.runtime.queue.drain();
  const res = await api.call('GET', `/api/v1/dev/outbox?to=${encodeURIComponent(address)}`, { headers: { 'x-dev-outbox-key': OPERATOR_KEY } });
  expect(res.status, res.text).toBe(200);
  const mails = res.body.data as Array<{ from?: string; subject: string; text: string; headers?: Record<string, string> }>;
  return mails.filter((m) => m.from?.includes(`<${channel.address}>`)).reverse();
}

describe('email channel', () => {
  it('inbound mail -> contact, message and attachments -> bot reply threaded from the inbox address -> customer reply joins the thread -> agent reply', async () => {
    const channel = await emailChannel();
    const { res } = await deliverFixture(channel, 'first.eml');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ ok: true, stored: 1, duplicates: 0 });

    const [first] = await storedMessages(channel.orgId);
    expect(first).toMatchObject({ role: 'user', channel: 'email', externalId: 'CAFx1-first-mail@mail.example.com', content: 'Hola, ¿abren el domingo? Adjunto la factura.' });
    const attachments = first.metadata.attachments as Array<Record<string, unknown>>;
    expect(attachments).toEqual([
      { kind: 'image', status: 'stored', mimeType: 'image/png', size: 70, filename: 'logo.png', blobKey: `org/${channel.orgId}/attachments/${first.id}/1-logo.png`, inline: true },
      { kind: 'document', status: 'stored', mimeType: 'application/pdf', size: expect.any(Number), filename: 'factura 12.pdf', blobKey: `org/${channel.orgId}/attachments/${first.id}/2-factura_12.pdf` },
    ]);
    const pdf = await api.runtime.services.blobs.get(attachments[1].blobKey as string);
    expect(new TextDecoder().decode(pdf!.body)).toContain('%PDF-1.4');
    const [contact] = await api.runtime.services.db.select().from(contacts).where(eq(contacts.organizationId, channel.orgId));
    expect(contact).toMatchObject({ channel: 'email', externalId: 'ana.perez@example.com', name: 'Ana Pérez', email: 'ana.perez@example.com' });

    const [botMail] = await outboxTo('ana.perez@example.com', channel);
    const answer = (await storedMessages(channel.orgId)).find((m) => m.role === 'assistant')!;
    expect(answer).toMatchObject({ deliveryStatus: 'sent', externalId: `${answer.id}@inbound.test.example` });
    expect(botMail).toMatchObject({ from: `"Acme support" <${channel.address}>`, subject: 'Re: Horario de la tienda ¿abrís el domingo?' });
    // The offer of a person cannot be a button in a mail: its fallback text is appended.
    expect(botMail.text).toBe(`${answer.content}\n\nReply "yes" to talk to a person.`);
    expect(botMail.headers).toEqual({
      'Message-ID': `<${answer.id}@inbound.test.example>`,
      'In-Reply-To': '<CAFx1-first-mail@mail.example.com>',
      References: '<CAFx1-first-mail@mail.example.com>',
      'Auto-Submitted': 'auto-replied',
    });

    // Ana answers our mail: her reply names our Message-ID, quotes us and signs.
    const reply = await deliverFixture(channel, 'reply.eml', { replace: { 'OUR-MESSAGE-ID': answer.externalId! } });
    expect(reply.res.body).toMatchObject({ stored: 1 });
    const afterReply = await storedMessages(channel.orgId);
    const second = afterReply.find((m) => m.externalId === 'CAFx1-second-mail@mail.example.com')!;
    expect(second.conversationId).toBe(first.conversationId);
    expect(second.content).toBe('Perfecto, ¿y el sábado hasta qué hora?');
    expect((second.metadata.email as { fullText: string }).fullText).toContain('Directora de compras');

    // An agent takes over and answers from the inbox.
    const agent = await api.call('POST', `/api/v1/conversations/${first.conversationId}/messages`, { token: channel.user.token, body: { content: 'Hola Ana, el sábado abrimos hasta las 20:00. Marta' } });
    expect(agent.status, agent.text).toBe(201);
    const mails = await outboxTo('ana.perez@example.com', channel);
    const agentMail = mails.at(-1)!;
    expect(agentMail.text).toBe('Hola Ana, el sábado abrimos hasta las 20:00. Marta');
    expect(agentMail.subject).toBe('Re: Horario de la tienda');
    expect(agentMail.headers).toEqual({
      'Message-ID': `<${agent.body.id}@inbound.test.example>`,
      'In-Reply-To': '<CAFx1-second-mail@mail.example.com>',
      References: `<CAFx1-first-mail@mail.example.com> <${answer.externalId}> <CAFx1-second-mail@mail.example.com>`,
    });
    const inbox = await api.call('GET', '/api/v1/conversations?channel=email', { token: channel.user.token });
    expect(inbox.body.data).toHaveLength(1);
  });

  it('refuses forged, stale and replayed deliveries; a redelivery with a new signature is stored once', async () => {
    const channel = await emailChannel();
    const forged = await deliverFixture(channel, 'first.eml', { key: 'key-of-someone-else-0000000000' });
    expect(forged.res.status, forged.res.text).toBe(401);
    const stale = await deliverFixture(channel, 'first.eml', { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect(stale.res.status).toBe(401);
    const noSignature = await api.call('POST', `/api/v1/channels/email/${channel.integrationId}`, { rawBody: 'sender=a%40b.c', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(noSignature.status).toBe(401);
    expect(await storedMessages(channel.orgId)).toHaveLength(0);

    const first = await deliverFixture(channel, 'first.eml');
    expect(first.res.body).toMatchObject({ stored: 1 });
    const replayed = await post(channel, first.delivery);
    expect(replayed.status, replayed.text).toBe(406);
    expect(replayed.body.error.code).toBe('replayed_request');
    // Mailgun retrying: same mail, fresh token and signature.
    const again = await deliverFixture(channel, 'first.eml');
    expect(again.res.body).toMatchObject({ stored: 0, duplicates: 1 });
    const concurrent = await Promise.all([1, 2, 3].map(() => deliverFixture(channel, 'first.eml')));
    expect(concurrent.map((c) => c.res.status)).toEqual([200, 200, 200]);
    await api.runtime.queue.drain();
    const stored = await storedMessages(channel.orgId);
    expect(stored.filter((m) => m.role === 'user')).toHaveLength(1);
    expect(stored.filter((m) => m.role === 'assistant')).toHaveLength(1);
    expect(await outboxTo('ana.perez@example.com', channel)).toHaveLength(1);
  });

  it('does not answer auto-replies, bounces or bulk mail (loop protection), but keeps them in the inbox', async () => {
    const channel = await emailChannel();
    expect((await deliverFixture(channel, 'auto-reply.eml')).res.body).toMatchObject({ stored: 1 });
    await simpleMail(channel, { sender: 'MAILER-DAEMON@mx.example.org', from: 'Mail Delivery System <MAILER-DAEMON@mx.example.org>', 'Message-Id': '<bounce-1@mx>' });
    await simpleMail(channel, { 'Message-Id': '<bulk-1@x>', 'message-headers': JSON.stringify([['Precedence', 'bulk']]) });
    await api.runtime.queue.drain();
    const stored = await storedMessages(channel.orgId);
    expect(stored.filter((m) => m.role === 'user')).toHaveLength(3);
    expect(stored.filter((m) => m.role === 'assistant')).toHaveLength(0);
  });

  it('a new mail without references continues the sender\u2019s open conversation, and starts a new one once it is resolved', async () => {
    const channel = await emailChannel();
    await simpleMail(channel, { 'Message-Id': '<one@example.org>' });
    await simpleMail(channel, { 'Message-Id': '<two@example.org>', subject: 'Another question', 'body-html': '<p>And <b>Sundays</b>?</p>', 'body-plain': '' });
    let rows = (await storedMessages(channel.orgId)).filter((m) => m.role === 'user');
    expect(rows[1].conversationId).toBe(rows[0].conversationId);
    expect(rows[1].content).toBe('And Sundays?');
    await api.runtime.services.db.update(conversations).set({ status: 'resolved' }).where(eq(conversations.id, rows[0].conversationId));
    await simpleMail(channel, { 'Message-Id': '<three@example.org>' });
    rows = (await storedMessages(channel.orgId)).filter((m) => m.role === 'user');
    expect(rows[2].conversationId).not.toBe(rows[0].conversationId);
  });

  it('keeps an attachment over the limit out of storage and says so', async () => {
    const channel = await emailChannel();
    const big = new Uint8Array(api.runtime.config.EMAIL_ATTACHMENT_MAX_BYTES + 1);
    const res = await simpleMail(channel, { 'Message-Id': '<big@example.org>' }, [{ field: 'attachment-1', filename: 'video.mp4', type: 'video/mp4', bytes: big }]);
    expect(res.status, res.text).toBe(200);
    const [row] = await storedMessages(channel.orgId);
    expect(row.metadata.attachments).toEqual([expect.objectContaining({ kind: 'video', status: 'too_large', blobKey: null, size: big.byteLength })]);
  });

  it('is per organization: another organization\u2019s key, URL or admin cannot reach this channel, nor join its threads', async () => {
    const a = await emailChannel();
    const b = await emailChannel('key-of-organization-b-0000000000');
    // B's correctly signed mail posted to A's webhook: not A's key.
    const { fields, files } = await mailgunFieldsFromMime(fixture('first.eml'), a.address);
    const signedByB = await signedMailgunDelivery('key-of-organization-b-0000000000', fields, files);
    expect((await post(a, signedByB)).status).toBe(401);
    expect(await storedMessages(a.orgId)).toHaveLength(0);
    // B's admin cannot read or change A's channel.
    for (const [method, path] of [
      ['GET', `/api/v1/integrations/${a.integrationId}`],
      ['PUT', `/api/v1/integrations/${a.integrationId}`],
      ['POST', `/api/v1/integrations/${a.integrationId}/connect`],
    ] as const) {
      const res = await api.call(method, path, { token: b.user.token, body: method === 'GET' ? undefined : { name: 'mine' } });
      expect(res.status, res.text).toBe(404);
    }
    // The same mail to both: each organization stores its own copy; a reply naming A's Message-ID lands in B as a new conversation.
    expect((await deliverFixture(a, 'first.eml')).res.body).toMatchObject({ stored: 1 });
    expect((await deliverFixture(b, 'first.eml', { key: 'key-of-organization-b-0000000000' })).res.body).toMatchObject({ stored: 1 });
    await api.runtime.queue.drain();
    const aAnswer = (await storedMessages(a.orgId)).find((m) => m.role === 'assistant')!;
    await deliverFixture(b, 'reply.eml', { key: 'key-of-organization-b-0000000000', replace: { 'OUR-MESSAGE-ID': aAnswer.externalId! } });
    const bRows = await storedMessages(b.orgId);
    const bFirst = bRows.find((m) => m.externalId === 'CAFx1-first-mail@mail.example.com')!;
    const bReply = bRows.find((m) => m.externalId === 'CAFx1-second-mail@mail.example.com')!;
    // It joins B's own conversation with the same sender (the open one), never A's.
    expect(bReply.conversationId).toBe(bFirst.conversationId);
    expect((await storedMessages(a.orgId)).some((m) => m.externalId === 'CAFx1-second-mail@mail.example.com')).toBe(false);
  });

  it('Cloudflare Email Routing: raw MIME to the inbox address is stored like a webhook delivery; unknown addresses bounce', async () => {
    const channel = await emailChannel();
    const rejections: string[] = [];
    const routed = (to: string, bytes: Uint8Array) => ({
      from: 'ana.perez@example.com',
      to,
      raw: new Blob([bytes as Uint8Array<ArrayBuffer>]).stream(),
      rawSize: bytes.byteLength,
      setReject: (reason: string) => void rejections.push(reason),
    });
    const services = api.runtime.services;
    expect(await receiveRoutedMail(services, routed(channel.address.toUpperCase(), fixture('first.eml')))).toBe('stored');
    expect(await receiveRoutedMail(services, routed(channel.address, fixture('first.eml')))).toBe('duplicate');
    expect(await receiveRoutedMail(services, routed('nobody-aaaaaaaaaa@inbound.test.example', fixture('first.eml')))).toBe('rejected');
    expect(rejections).toEqual(['No such mailbox']);
    const rows = await api.runtime.services.db.select().from(messages).where(and(eq(messages.organizationId, channel.orgId), eq(messages.role, 'user')));
    expect(rows).toHaveLength(1);
    expect((rows[0].metadata.attachments as unknown[]).length).toBe(2);
  });
});
