import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { messages } from '../../db/schema';
import { createTestApi, type TestApi, type TestUser } from '../testing/harness';
import { uploadAgentFile } from '../testing/inbox';
import { signedMailgunDelivery, startFakeMailgunApi, type FakeMailgunApi } from '../testing/fake-mailgun';

/**
 * Email replies through Mailgun's messages API (multipart, files as repeated `attachment`
 * fields), against a local server that parses the form as Mailgun does: an agent's file in an
 * email conversation goes out as a real attachment of one threaded mail.
 */
let api: TestApi;
let mailgun: FakeMailgunApi;
const SIGNING_KEY = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';
const API_KEY = 'key-sending-0123456789abcdef';

beforeAll(async () => {
  mailgun = await startFakeMailgunApi(API_KEY);
  api = await createTestApi({
    env: { CHANNEL_RETRY_BASE_SECONDS: '0', EMAIL_INBOUND_DOMAIN: 'inbound.test.example', MAILGUN_API_URL: mailgun.url, MAILGUN_API_KEY: API_KEY },
  });
});
afterAll(async () => {
  await api.close();
  await mailgun.close();
});
beforeEach(async () => {
  await api.runtime.queue.drain();
  mailgun.sent.length = 0;
});

interface EmailConversation {
  user: TestUser;
  orgId: string;
  address: string;
  conversationId: string;
}

/** An email channel whose bot is paused for this conversation (an agent took it), with one customer mail in it. */
async function emailConversation(): Promise<EmailConversation> {
  const user = await api.signUp();
  const org = await api.createOrg(user, 'Acme Mail');
  const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Sol', model: 'builtin:extractive', language: 'en' } });
  await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: user.token });
  const created = await api.call('POST', '/api/v1/integrations', { token: user.token, body: { platform: 'email', name: 'Acme support', botId: bot.body.id, credentials: { signingKey: SIGNING_KEY } } });
  expect(created.status, created.text).toBe(201);
  await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: user.token });
  const delivery = await signedMailgunDelivery(SIGNING_KEY, {
    recipient: created.body.inboxAddress,
    sender: 'ana@example.org',
    from: 'Ana <ana@example.org>',
    subject: 'Factura',
    'body-plain': 'Can you send me the invoice?',
    'Message-Id': '<ana-1@example.org>',
  });
  const res = await api.call('POST', `/api/v1/channels/email/${created.body.id}`, { rawBody: delivery.body as Uint8Array<ArrayBuffer>, headers: { 'content-type': delivery.contentType } });
  expect(res.status, res.text).toBe(200);
  await api.runtime.queue.drain();
  const [row] = await api.runtime.services.db.select().from(messages).where(eq(messages.organizationId, org.id)).limit(1);
  return { user, orgId: org.id, address: created.body.inboxAddress, conversationId: row.conversationId };
}

function upload(conversation: EmailConversation, file: File, caption?: string) {
  return uploadAgentFile(api, { token: conversation.user.token, orgId: conversation.orgId }, conversation.conversationId, file, caption);
}

const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

describe('email replies through Mailgun', () => {
  it('an agent\u2019s file goes out as an `attachment` field of one threaded mail, with the caption as its text', async () => {
    const conversation = await emailConversation();
    mailgun.sent.length = 0;
    const sent = await upload(conversation, new File([PDF], 'factura-12.pdf', { type: 'application/pdf' }), 'Here is your invoice');
    expect(sent.status).toBe(201);
    await api.runtime.queue.drain();

    expect(mailgun.sent).toHaveLength(1);
    const [mail] = mailgun.sent;
    expect(mail.domain).toBe('inbound.test.example');
    expect(mail.fields).toMatchObject({
      to: 'ana@example.org',
      from: `"Acme support" <${conversation.address}>`,
      'h:Reply-To': conversation.address,
      subject: 'Re: Factura',
      text: 'Here is your invoice',
      'h:In-Reply-To': '<ana-1@example.org>',
      'h:Message-ID': `<${sent.body.id}@inbound.test.example>`,
    });
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({ filename: 'factura-12.pdf', type: 'application/pdf' });
    expect(Buffer.from(mail.attachments[0].bytes).equals(Buffer.from(PDF))).toBe(true);

    const [row] = await api.runtime.services.db.select().from(messages).where(eq(messages.id, sent.body.id));
    expect(row).toMatchObject({ deliveryStatus: 'sent', externalId: `${sent.body.id}@inbound.test.example`, error: null });
  });

  it('a Mailgun outage is retried and the mail goes out once, attachment included', async () => {
    const conversation = await emailConversation();
    mailgun.sent.length = 0;
    mailgun.failNext(503, 2);
    const sent = await upload(conversation, new File([PDF], 'a.pdf', { type: 'application/pdf' }));
    expect(sent.status).toBe(201);
    await api.runtime.queue.drain();

    expect(mailgun.sent).toHaveLength(1);
    expect(mailgun.sent[0].attachments.map((a) => a.filename)).toEqual(['a.pdf']);
    const [row] = await api.runtime.services.db.select().from(messages).where(eq(messages.id, sent.body.id));
    expect(row.deliveryStatus).toBe('sent');
  });

  it('a refused key marks the message failed with Mailgun\u2019s reason, after the retries', async () => {
    const conversation = await emailConversation();
    mailgun.failNext(401, 100);
    const sent = await upload(conversation, new File([PDF], 'b.pdf', { type: 'application/pdf' }));
    await api.runtime.queue.drain();
    const [row] = await api.runtime.services.db.select().from(messages).where(eq(messages.id, sent.body.id));
    expect(row.deliveryStatus).toBe('failed');
    expect(row.error).toMatch(/Mailgun answered 401/);
    mailgun.failNext(500, 0);
  });
});
