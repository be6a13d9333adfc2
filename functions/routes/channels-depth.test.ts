import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditLog, contacts, conversations, messages } from '../../db/schema';
import messengerFixtures from '../core/channels/fixtures/messenger.json';
import telegramFixtures from '../core/channels/fixtures/telegram.json';
import whatsappFixtures from '../core/channels/fixtures/whatsapp.json';
import { CHANNEL_CREDENTIALS, useChannelSuite, type MessagingPlatform } from '../testing/channel-suite';
import type { FakePlatforms } from '../testing/fake-platforms';
import type { TestApi, TestUser } from '../testing/harness';

/**
 * Channels in depth: WhatsApp templates and the 24-hour window, read receipts and typing, contact
 * profiles and merging, reactions on their message, and one conversation under concurrent first
 * messages. The real app over HTTP with the platforms faked on loopback.
 */
const suite = useChannelSuite({ CHANNEL_SEND_MAX_ATTEMPTS: '2' });
let api: TestApi;
let fake: FakePlatforms;
beforeAll(() => ({ api, fake } = suite));

type Platform = MessagingPlatform;
const WABA = '102290129340398';
const CREDENTIALS = { ...CHANNEL_CREDENTIALS, whatsapp: { ...CHANNEL_CREDENTIALS.whatsapp, businessAccountId: WABA } };

interface Channel {
  user: TestUser;
  orgId: string;
  botId: string;
  integrationId: string;
  platform: Platform;
}

async function connectedChannel(platform: Platform, existing?: Pick<Channel, 'user' | 'orgId' | 'botId'>, credentials: Record<string, unknown> = CREDENTIALS[platform]): Promise<Channel> {
  let owner = existing;
  if (!owner) {
    const user = await api.signUp();
    const org = await api.createOrg(user);
    const bot = await api.call('POST', '/api/v1/chatbots', { token: user.token, body: { name: 'Sol', model: 'builtin:extractive', language: 'en' } });
    expect(bot.status, bot.text).toBe(201);
    expect((await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: user.token })).status).toBe(200);
    owner = { user, orgId: org.id, botId: bot.body.id };
  }
  if (platform === 'messenger') fake.setPage(CREDENTIALS.messenger.pageAccessToken, { id: CREDENTIALS.messenger.pageId, name: 'Acme Page' });
  const created = await api.call('POST', '/api/v1/integrations', { token: owner.user.token, body: { platform, name: platform, botId: owner.botId, credentials } });
  expect(created.status, created.text).toBe(201);
  expect((await api.call('POST', `/api/v1/integrations/${created.body.id}/connect`, { token: owner.user.token })).status).toBe(200);
  return { ...owner, integrationId: created.body.id, platform };
}

const deliver = (channel: Channel, payload: unknown) => suite.deliver(channel, payload);
const drain = () => api.runtime.queue.drain();
const db = () => api.runtime.services.db;

function whatsappText(id: string, text: string, from = '16505551234', name = 'Sheena Nelson') {
  const payload = structuredClone(whatsappFixtures.text) as any;
  const value = payload.entry[0].changes[0].value;
  value.contacts[0] = { profile: { name }, wa_id: from };
  value.messages[0] = { ...value.messages[0], id, from, text: { body: text } };
  return payload;
}

function whatsappReaction(id: string, target: string, emoji: string) {
  const payload = whatsappText(id, '');
  payload.entry[0].changes[0].value.messages[0] = { from: '16505551234', id, timestamp: '1749416400', type: 'reaction', reaction: { message_id: target, emoji } };
  return payload;
}

async function conversationsOf(orgId: string) {
  return db().select().from(conversations).where(eq(conversations.organizationId, orgId));
}

/** Moves the customer's last message two days back: WhatsApp's window is closed. */
async function closeWindow(conversationId: string) {
  await db().update(messages).set({ createdAt: sql`now() - interval '2 days'` }).where(eq(messages.conversationId, conversationId));
}

describe('WhatsApp templates and the 24-hour window', () => {
  it('lists approved templates, refuses free text once the window closed, and sends a template in Meta’s wire format', async () => {
    const channel = await connectedChannel('whatsapp');
    await deliver(channel, whatsappText('wamid.T1', 'Hello'));
    await drain();
    const [conversation] = await conversationsOf(channel.orgId);
    const path = `/api/v1/conversations/${conversation.id}/whatsapp-templates`;

    const open = await api.call('GET', path, { token: channel.user.token });
    expect(open.status, open.text).toBe(200);
    expect(open.body.window.open).toBe(true);
    expect(open.body.templates.map((t: any) => t.name)).toEqual(['order_update', 'hello_again']);
    expect(open.body.templates[0].variables).toEqual({ header: ['1'], body: ['1', '2'] });
    const listing = fake.requests.find((r) => r.endpoint === `${WABA}/message_templates`);
    expect(listing?.query.status).toBe('APPROVED');

    await closeWindow(conversation.id);
    const closed = await api.call('GET', path, { token: channel.user.token });
    expect(closed.body.window.open).toBe(false);
    // Cached: the account was asked once.
    expect(fake.requests.filter((r) => r.endpoint === `${WABA}/message_templates`)).toHaveLength(1);

    const refused = await api.call('POST', `/api/v1/conversations/${conversation.id}/messages`, { token: channel.user.token, body: { content: 'Are you there?' } });
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.error.code).toBe('messaging_window_closed');
    expect(refused.body.error.message).toContain('template');
    // A private note is not a message to the customer.
    expect((await api.call('POST', `/api/v1/conversations/${conversation.id}/messages`, { token: channel.user.token, body: { content: 'call them', private: true } })).status).toBe(201);

    const missing = await api.call('POST', path, { token: channel.user.token, body: { name: 'order_update', language: 'en_US', variables: { body: ['Ana'] } } });
    expect(missing.status).toBe(422);
    const unknown = await api.call('POST', path, { token: channel.user.token, body: { name: 'nope', language: 'en_US' } });
    expect(unknown.status).toBe(422);

    fake.reset();
    const sent = await api.call('POST', path, {
      token: channel.user.token,
      body: { name: 'order_update', language: 'en_US', variables: { header: ['#1234'], body: ['Ana', '#1234'] } },
    });
    expect(sent.status, sent.text).toBe(201);
    expect(sent.body).toMatchObject({ role: 'agent', contentType: 'template', content: expect.stringContaining('Hi Ana, your order #1234 is on its way.') });
    await drain();
    const [wire] = fake.sent();
    expect(wire.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '16505551234',
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: 'text', text: '#1234' }] },
          { type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: '#1234' }] },
        ],
      },
    });
    const [stored] = await db().select().from(messages).where(eq(messages.id, sent.body.id));
    expect(stored).toMatchObject({ deliveryStatus: 'sent', externalId: expect.stringMatching(/^wamid\.FAKE/) });
  });

  it('without the WhatsApp Business Account id the list says why and sending is a clear 409; other tenants get 404', async () => {
    const { businessAccountId: _, ...withoutWaba } = CREDENTIALS.whatsapp;
    const channel = await connectedChannel('whatsapp', undefined, withoutWaba);
    await deliver(channel, whatsappText('wamid.T2', 'Hello'));
    const [conversation] = await conversationsOf(channel.orgId);
    const res = await api.call('GET', `/api/v1/conversations/${conversation.id}/whatsapp-templates`, { token: channel.user.token });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ window: { open: true }, templates: [], templatesUnavailable: expect.stringContaining('businessAccountId') });
    const send = await api.call('POST', `/api/v1/conversations/${conversation.id}/whatsapp-templates`, { token: channel.user.token, body: { name: 'hello_again', language: 'es' } });
    expect(send.status).toBe(409);
    expect(send.body.error.message).toContain('businessAccountId');

    const stranger = await api.signUp();
    await api.createOrg(stranger, 'Other');
    const path = `/api/v1/conversations/${conversation.id}/whatsapp-templates`;
    expect((await api.call('GET', path, { token: stranger.token })).status).toBe(404);
    expect((await api.call('POST', path, { token: stranger.token, body: { name: 'hello_again', language: 'es' } })).status).toBe(404);
  });
});

describe('read receipts and typing while the bot answers', () => {
  it('WhatsApp marks the message read with the typing indicator; Messenger sends mark_seen and typing_on; Telegram sendChatAction', async () => {
    const whatsapp = await connectedChannel('whatsapp');
    await deliver(whatsapp, whatsappText('wamid.R1', 'What are your opening hours?'));
    await drain();
    expect(fake.signals().map((r) => r.body)).toEqual([{ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.R1', typing_indicator: { type: 'text' } }]);
    expect(fake.sent()).toHaveLength(1);

    fake.reset();
    const messenger = await connectedChannel('messenger');
    await deliver(messenger, messengerFixtures.text);
    await drain();
    expect(fake.signals().map((r) => r.body.sender_action)).toEqual(['mark_seen', 'typing_on']);

    fake.reset();
    const telegram = await connectedChannel('telegram');
    await deliver(telegram, telegramFixtures.text);
    await drain();
    expect(fake.signals().map((r) => [r.endpoint, r.body])).toEqual([['sendChatAction', { chat_id: '555000111', action: 'typing' }]]);
  });

  it('a failing signal never holds back the answer', async () => {
    const channel = await connectedChannel('whatsapp');
    fake.respond({ endpoint: /messages$/ }, { status: 400, body: { error: { message: 'Invalid parameter', code: 100 } } }, 1);
    await deliver(channel, whatsappText('wamid.R2', 'What are your opening hours?'));
    await drain();
    const answers = (await db().select().from(messages).where(eq(messages.organizationId, channel.orgId))).filter((m) => m.role === 'assistant');
    expect(answers).toHaveLength(1);
    expect(answers[0].deliveryStatus).toBe('sent');
  });
});

describe('contact profiles', () => {
  it('Messenger names and pictures come from the profile API once a day; WhatsApp names follow the webhook', async () => {
    const channel = await connectedChannel('messenger');
    fake.setProfile('24680135792468', { first_name: 'Lucía', last_name: 'Gómez', profile_pic: 'https://cdn.example/lucia.jpg' });
    await deliver(channel, messengerFixtures.text);
    await drain();
    const [contact] = await db().select().from(contacts).where(eq(contacts.organizationId, channel.orgId));
    expect(contact.name).toBe('Lucía Gómez');
    expect(contact.attributes).toMatchObject({ avatarUrl: 'https://cdn.example/lucia.jpg', profileName: 'Lucía Gómez' });
    const second = structuredClone(messengerFixtures.text) as any;
    second.entry[0].messaging[0].message.mid = 'm_second';
    await deliver(channel, second);
    await drain();
    expect(fake.requests.filter((r) => /profile_pic/.test(r.query.fields ?? ''))).toHaveLength(1);
    const inbox = await api.call('GET', `/api/v1/conversations`, { token: channel.user.token });
    expect(inbox.status, inbox.text).toBe(200);

    const whatsapp = await connectedChannel('whatsapp');
    await deliver(whatsapp, whatsappText('wamid.P1', 'hi', '16505550000', 'Old Name'));
    await deliver(whatsapp, whatsappText('wamid.P2', 'hi again', '16505550000', 'New Name'));
    const [wa] = await db().select().from(contacts).where(and(eq(contacts.organizationId, whatsapp.orgId), eq(contacts.externalId, '16505550000')));
    expect(wa.name).toBe('New Name');
  });
});

describe('reactions attach to their message', () => {
  it('a WhatsApp reaction lands on the reacted message: no new message, no unread, no preview, no answer; removing it removes it', async () => {
    const channel = await connectedChannel('whatsapp');
    await deliver(channel, whatsappText('wamid.X1', 'What are your opening hours?'));
    await drain();
    const [before] = await conversationsOf(channel.orgId);
    const answer = (await db().select().from(messages).where(eq(messages.conversationId, before.id))).find((m) => m.role === 'assistant')!;
    fake.reset();
    const res = await deliver(channel, whatsappReaction('wamid.X2', answer.externalId!, '👍'));
    expect(res.body).toMatchObject({ stored: 1 });
    await drain();
    expect(fake.sent()).toHaveLength(0);
    const [after] = await conversationsOf(channel.orgId);
    expect(after).toMatchObject({ unreadCount: before.unreadCount, lastMessagePreview: before.lastMessagePreview, messageCount: before.messageCount });
    const [reacted] = await db().select().from(messages).where(eq(messages.id, answer.id));
    expect(reacted.metadata.reactions).toEqual([{ emoji: '👍', from: '16505551234', at: expect.any(String) }]);
    // Shown in the inbox on the message itself.
    const thread = await api.call('GET', `/api/v1/conversations/${after.id}/messages`, { token: channel.user.token });
    expect(thread.body.data.find((m: any) => m.id === answer.id).metadata.reactions[0].emoji).toBe('👍');
    // A new emoji replaces the old; an empty one removes it.
    await deliver(channel, whatsappReaction('wamid.X3', answer.externalId!, '❤️'));
    expect((await db().select().from(messages).where(eq(messages.id, answer.id)))[0].metadata.reactions).toEqual([expect.objectContaining({ emoji: '❤️' })]);
    await deliver(channel, whatsappReaction('wamid.X4', answer.externalId!, ''));
    expect((await db().select().from(messages).where(eq(messages.id, answer.id)))[0].metadata.reactions).toEqual([]);
    expect((await db().select().from(messages).where(eq(messages.conversationId, after.id))).map((m) => m.contentType)).not.toContain('reaction');
  });

  it('Messenger react/unreact and Telegram message_reaction work the same way', async () => {
    const messenger = await connectedChannel('messenger');
    await deliver(messenger, messengerFixtures.text);
    const [customer] = await db().select().from(messages).where(eq(messages.organizationId, messenger.orgId));
    const reaction = structuredClone(messengerFixtures.reaction) as any;
    reaction.entry[0].messaging[0].reaction = { mid: customer.externalId, action: 'react', reaction: 'love', emoji: '❤️' };
    await deliver(messenger, reaction);
    expect((await db().select().from(messages).where(eq(messages.id, customer.id)))[0].metadata.reactions).toEqual([expect.objectContaining({ emoji: '❤️' })]);
    reaction.entry[0].messaging[0].reaction = { mid: customer.externalId, action: 'unreact' };
    reaction.entry[0].messaging[0].timestamp += 1;
    await deliver(messenger, reaction);
    expect((await db().select().from(messages).where(eq(messages.id, customer.id)))[0].metadata.reactions).toEqual([]);

    const telegram = await connectedChannel('telegram');
    await deliver(telegram, telegramFixtures.text);
    await drain();
    const answer = (await db().select().from(messages).where(eq(messages.organizationId, telegram.orgId))).find((m) => m.role === 'assistant')!;
    const botMessageId = Number(answer.externalId!.split(':')[2]);
    const update = {
      update_id: 900000500,
      message_reaction: { chat: { id: 555000111, type: 'private' }, message_id: botMessageId, user: { id: 555000111, is_bot: false, first_name: 'Ana' }, date: 1735690000, old_reaction: [], new_reaction: [{ type: 'emoji', emoji: '🔥' }] },
    };
    expect((await deliver(telegram, update)).body).toMatchObject({ stored: 1 });
    expect((await db().select().from(messages).where(eq(messages.id, answer.id)))[0].metadata.reactions).toEqual([expect.objectContaining({ emoji: '🔥', from: '555000111' })]);
  });
});

describe('one conversation per contact and channel', () => {
  it('concurrent first messages from a new contact make one conversation', async () => {
    const channel = await connectedChannel('whatsapp');
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => deliver(channel, whatsappText(`wamid.C${i}`, `hello ${i}`, '16505559999', 'Racer'))));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const rows = await conversationsOf(channel.orgId);
    expect(rows).toHaveLength(1);
    expect(rows[0].messageCount).toBe(6);
  });

  it('the database refuses a second open conversation for the same contact, channel and bot', async () => {
    const channel = await connectedChannel('whatsapp');
    await deliver(channel, whatsappText('wamid.U1', 'hello'));
    const [row] = await conversationsOf(channel.orgId);
    const duplicate = db().insert(conversations).values({ organizationId: row.organizationId, botId: row.botId, contactId: row.contactId, channelId: row.channelId, channel: 'whatsapp' });
    await expect(duplicate).rejects.toThrow();
    // A resolved one may sit beside an open one.
    await db().insert(conversations).values({ organizationId: row.organizationId, botId: row.botId, contactId: row.contactId, channelId: row.channelId, channel: 'whatsapp', status: 'resolved' });
  });
});

describe('merging contacts', () => {
  it('moves conversations and attributes to the kept contact; the merged identity’s next message lands there and replies still reach it', async () => {
    const telegram = await connectedChannel('telegram');
    const whatsapp = await connectedChannel('whatsapp', telegram);
    await deliver(telegram, telegramFixtures.text);
    await deliver(whatsapp, whatsappText('wamid.M1', 'hola', '16505551234', 'Ana WhatsApp'));
    await drain();
    const people = await db().select().from(contacts).where(eq(contacts.organizationId, telegram.orgId));
    const kept = people.find((p) => p.channel === 'telegram')!;
    const merged = people.find((p) => p.channel === 'whatsapp')!;

    const found = await api.call('GET', `/api/v1/contacts?q=Ana&exclude=${kept.id}`, { token: telegram.user.token });
    expect(found.status, found.text).toBe(200);
    expect(found.body.data.map((c: any) => c.id)).toEqual([merged.id]);
    // The picker says how many conversations move (counted per contact, not per conversation id).
    expect(found.body.data[0].conversationCount).toBe(1);

    const res = await api.call('POST', `/api/v1/contacts/${kept.id}/merge`, { token: telegram.user.token, body: { contactId: merged.id } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ movedConversations: 1, merged: { id: merged.id, mergedIntoId: kept.id }, contact: { id: kept.id, phone: '+16505551234' } });
    const rows = await conversationsOf(telegram.orgId);
    expect(rows.map((r) => r.contactId)).toEqual([kept.id, kept.id]);

    // The merged identity writes again: same conversation, kept contact, and the reply goes to their WhatsApp number.
    fake.reset();
    await deliver(whatsapp, whatsappText('wamid.M2', 'What are your opening hours?', '16505551234', 'Ana WhatsApp'));
    await drain();
    expect(await conversationsOf(telegram.orgId)).toHaveLength(2);
    const waConversation = (await conversationsOf(telegram.orgId)).find((r) => r.channel === 'whatsapp')!;
    expect(waConversation.contactId).toBe(kept.id);
    expect(fake.sent().map((r) => r.body.to)).toEqual(['16505551234']);

    const [entry] = await db().select().from(auditLog).where(and(eq(auditLog.organizationId, telegram.orgId), eq(auditLog.action, 'contact.merged')));
    expect(entry).toMatchObject({ targetId: kept.id, metadata: { mergedContactId: merged.id, channel: 'whatsapp', conversations: 1 } });

    // Merged once is merged: not offered again, and cannot be merged a second time.
    expect((await api.call('POST', `/api/v1/contacts/${kept.id}/merge`, { token: telegram.user.token, body: { contactId: merged.id } })).status).toBe(409);
    expect((await api.call('POST', `/api/v1/contacts/${kept.id}/merge`, { token: telegram.user.token, body: { contactId: kept.id } })).status).toBe(422);
  });

  it('another organization can neither see nor merge the contacts', async () => {
    const channel = await connectedChannel('whatsapp');
    await deliver(channel, whatsappText('wamid.N1', 'hi', '16505550001', 'One'));
    await deliver(channel, whatsappText('wamid.N2', 'hi', '16505550002', 'Two'));
    const [a, b] = await db().select().from(contacts).where(eq(contacts.organizationId, channel.orgId));
    const stranger = await api.signUp();
    await api.createOrg(stranger, 'Other');
    expect((await api.call('POST', `/api/v1/contacts/${a.id}/merge`, { token: stranger.token, body: { contactId: b.id } })).status).toBe(404);
    expect((await api.call('GET', `/api/v1/contacts?q=One`, { token: stranger.token })).body.data).toEqual([]);
    // Nor merge one of theirs into one of ours.
    const own = await connectedChannel('whatsapp', { user: stranger, orgId: '', botId: (await api.call('POST', '/api/v1/chatbots', { token: stranger.token, body: { name: 'B', model: 'builtin:extractive' } })).body.id });
    await deliver(own, whatsappText('wamid.N3', 'hi', '16505550003', 'Three'));
    const [theirs] = await db().select().from(contacts).where(eq(contacts.externalId, '16505550003'));
    expect((await api.call('POST', `/api/v1/contacts/${theirs.id}/merge`, { token: stranger.token, body: { contactId: a.id } })).status).toBe(404);
    expect((await db().select().from(contacts).where(eq(contacts.id, a.id)))[0].mergedIntoId).toBeNull();
  });
});
