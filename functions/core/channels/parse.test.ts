import { describe, expect, it } from 'vitest';
import instagram from './fixtures/instagram.json';
import messenger from './fixtures/messenger.json';
import telegram from './fixtures/telegram.json';
import whatsapp from './fixtures/whatsapp.json';
import { metaFailure, signMetaPayload, verifyMetaSignature } from './meta';
import { parseMessaging } from './messenger';
import { splitText } from './split';
import { parseTelegram, type TelegramContext } from './telegram';
import { parseWhatsApp } from './whatsapp';
import { retryAfterSeconds } from './http';

/** Every documented inbound shape, parsed from the fixtures without a server. */
const PHONE = '106540352242922';
const PAGE = '1234567890';
const IG = '17841400000000001';
const bot: TelegramContext = { botId: '123456789', username: 'fake123456789_bot', groups: 'mentions' };

describe('WhatsApp Cloud API payloads', () => {
  it('a text message with the customer’s profile name and number', () => {
    const parsed = parseWhatsApp(whatsapp.text, PHONE);
    expect(parsed.messages).toEqual([
      expect.objectContaining({
        externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        contact: { externalId: '16505551234', name: 'Sheena Nelson', phone: '+16505551234' },
        contentType: 'text',
        content: 'What are your opening hours?',
        answer: true,
      }),
    ]);
  });

  it('media, location and contacts keep their order, type and metadata', () => {
    const { messages } = parseWhatsApp(whatsapp.batch, PHONE);
    expect(messages.map((m) => [m.externalId, m.contentType, m.content])).toEqual([
      ['wamid.BATCH001', 'image', 'This is the lamp I bought'],
      ['wamid.BATCH002', 'audio', '[audio]'],
      ['wamid.BATCH003', 'document', 'My invoice'],
      ['wamid.BATCH004', 'location', '[location] Main store, 1 Hacker Way, Menlo Park, CA 94025 (37.483307, -122.148981)'],
      ['wamid.BATCH005', 'contacts', '[contacts] Barbara J. Johnson'],
    ]);
    expect(messages[0].metadata.media).toMatchObject({ id: '1003383421387256', mimeType: 'image/jpeg' });
    expect(messages[1].metadata.media).toMatchObject({ voice: true });
    expect(messages[2].metadata.media).toMatchObject({ filename: 'invoice-2291.pdf', mimeType: 'application/pdf' });
    expect(messages[3].metadata.location).toMatchObject({ latitude: 37.483307, longitude: -122.148981 });
    expect(messages[4].metadata.contacts).toHaveLength(1);
  });

  it('button and list replies, template buttons, reactions, stickers and unsupported types', () => {
    const { messages } = parseWhatsApp(whatsapp.interactive, PHONE);
    expect(messages.map((m) => [m.contentType, m.content, m.answer])).toEqual([
      ['interactive', 'Talk to sales', true],
      ['interactive', 'Priority shipping', true],
      ['interactive', 'Stop promotions', true],
      ['reaction', '👍', false],
      ['sticker', '[sticker]', false],
      ['unsupported', '[unsupported: unsupported]', false],
    ]);
    expect(messages[0].metadata).toMatchObject({ interactive: { type: 'button_reply', id: 'talk-to-sales' }, context: { id: expect.any(String) } });
    expect(messages[1].metadata).toMatchObject({ interactive: { type: 'list_reply', id: 'priority-shipping', description: 'Next day to 2 days' } });
    expect(messages[2].metadata).toMatchObject({ button: { payload: 'STOP_PROMOTIONS' } });
  });

  it('receipts are statuses, never messages; a failed one carries its reason', () => {
    const receipts = parseWhatsApp(whatsapp.statuses, PHONE);
    expect(receipts.messages).toHaveLength(0);
    expect(receipts.statuses.map((s) => s.status)).toEqual(['read', 'delivered']);
    const failed = parseWhatsApp(whatsapp.statusFailed, PHONE);
    expect(failed.statuses[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('24-hour') });
  });

  it('another phone number’s traffic and other fields are ignored', () => {
    expect(parseWhatsApp(whatsapp.otherNumber, PHONE)).toMatchObject({ messages: [], ignored: 1 });
    expect(parseWhatsApp(whatsapp.templateStatusUpdate, PHONE)).toMatchObject({ messages: [], statuses: [], ignored: 1 });
    expect(parseWhatsApp({ object: 'page', entry: [] }, PHONE)).toMatchObject({ messages: [], ignored: 1 });
    expect(parseWhatsApp(null, PHONE).ignored).toBe(1);
    expect(parseWhatsApp({ object: 'whatsapp_business_account', entry: 'nope' }, PHONE).ignored).toBe(1);
  });
});

describe('Messenger payloads', () => {
  it('text, attachments, quick replies, postbacks and stickers', () => {
    expect(parseMessaging(messenger.text, 'messenger', PAGE).messages[0]).toMatchObject({ contentType: 'text', content: 'What are your opening hours?', contact: { externalId: '24680135792468' } });
    const { messages } = parseMessaging(messenger.batch, 'messenger', PAGE);
    expect(messages.map((m) => [m.externalId, m.contentType, m.content, m.answer])).toEqual([
      ['m_ATTACH1', 'image', '[image]', true],
      ['m_QUICK1', 'interactive', 'Red', true],
      ['m_POSTBACK1', 'interactive', 'Talk to sales', true],
      ['m_FILE1', 'document', 'Here is my receipt', true],
      ['m_STICKER1', 'sticker', '[sticker]', false],
    ]);
    expect(messages[0].metadata.attachments).toEqual([expect.objectContaining({ type: 'image', url: expect.stringContaining('fbcdn') })]);
    expect(messages[1].metadata).toMatchObject({ quickReply: { payload: 'DEVELOPER_DEFINED_PAYLOAD_FOR_PICKING_RED' } });
    expect(messages[2].metadata).toMatchObject({ postback: { payload: 'TALK_TO_SALES' } });
  });

  it('echoes, deliveries and reads are receipts; reactions are stored unanswered; edits are edits', () => {
    expect(parseMessaging(messenger.echo, 'messenger', PAGE)).toMatchObject({ messages: [], statuses: [{ kind: 'message', status: 'sent', externalId: 'MID_PLACEHOLDER' }] });
    expect(parseMessaging(messenger.delivery, 'messenger', PAGE).statuses).toEqual([
      { kind: 'message', externalId: 'MID_PLACEHOLDER', status: 'delivered' },
      { kind: 'watermark', contactExternalId: '24680135792468', status: 'delivered', watermark: new Date(1735689611000).toISOString() },
    ]);
    expect(parseMessaging(messenger.read, 'messenger', PAGE).statuses[0]).toMatchObject({ kind: 'watermark', status: 'read' });
    expect(parseMessaging(messenger.reaction, 'messenger', PAGE).messages[0]).toMatchObject({ contentType: 'reaction', content: '❤️', answer: false });
    expect(parseMessaging(messenger.edit, 'messenger', PAGE).edits[0]).toMatchObject({ content: 'What are your opening hours on Sunday?' });
  });

  it('another page’s events and the wrong object are ignored', () => {
    expect(parseMessaging(messenger.otherPage, 'messenger', PAGE)).toMatchObject({ messages: [], ignored: 1 });
    expect(parseMessaging(instagram.text, 'messenger', PAGE)).toMatchObject({ messages: [], ignored: 1 });
  });
});

describe('Instagram payloads', () => {
  it('text, story mentions, shares, story replies, postbacks and unsupported messages', () => {
    expect(parseMessaging(instagram.text, 'instagram', IG).messages[0]).toMatchObject({ contentType: 'text', contact: { externalId: '9876543210' } });
    const { messages } = parseMessaging(instagram.batch, 'instagram', IG);
    expect(messages.map((m) => [m.contentType, m.content, m.answer])).toEqual([
      ['story_mention', '[story_mention]', false],
      ['share', '[share]', true],
      ['text', 'Is this in stock?', true],
      ['interactive', 'See prices', true],
      ['unsupported', '[unsupported message]', false],
    ]);
    expect(messages[2].metadata).toMatchObject({ replyTo: { story: { id: '17900000000000001' } } });
  });

  it('echoes and reads (by message id) are receipts', () => {
    expect(parseMessaging(instagram.echo, 'instagram', IG).statuses).toEqual([{ kind: 'message', externalId: 'MID_PLACEHOLDER', status: 'sent' }]);
    expect(parseMessaging(instagram.read, 'instagram', IG).statuses).toEqual([{ kind: 'message', externalId: 'MID_PLACEHOLDER', status: 'read' }]);
  });
});

describe('Telegram updates', () => {
  it('text with the chat as the contact and ids scoped by bot and chat', () => {
    const { messages } = parseTelegram(telegram.text, bot);
    expect(messages[0]).toMatchObject({
      externalId: '123456789:555000111:1365',
      contact: { externalId: '555000111', name: 'Ana Pérez', attributes: { username: 'anaperez', languageCode: 'es' } },
      contentType: 'text',
      answer: true,
    });
  });

  it('commands, photos (largest size), voice, documents, locations, contacts and stickers', () => {
    const parse = (update: unknown) => parseTelegram(update, bot).messages[0];
    expect(parse(telegram.start)).toMatchObject({ contentType: 'command', content: '/start', metadata: { command: 'start', args: '' } });
    expect(parse(telegram.photo)).toMatchObject({ contentType: 'image', content: 'Does this come in blue?', metadata: { media: { fileId: 'AgACAgQAAxkBAAIBX2Zlarge', width: 1280 } } });
    expect(parse(telegram.voice)).toMatchObject({ contentType: 'audio', metadata: { media: { voice: true, duration: 4 } } });
    expect(parse(telegram.document)).toMatchObject({ contentType: 'document', content: '[document: factura-2291.pdf]' });
    expect(parse(telegram.location)).toMatchObject({ contentType: 'location', metadata: { location: { latitude: 40.416775 } } });
    expect(parse(telegram.contact)).toMatchObject({ contentType: 'contacts', content: '[contacts] Luis García +34600111222' });
    expect(parse(telegram.sticker)).toMatchObject({ contentType: 'sticker', content: '👍', answer: false });
  });

  it('edited messages are edits of the same id; callback queries read the tapped button’s label', () => {
    expect(parseTelegram(telegram.edited, bot).edits[0]).toMatchObject({ externalId: '123456789:555000111:1365', content: 'What are your opening hours on Sunday?' });
    expect(parseTelegram(telegram.callback, bot).messages[0]).toMatchObject({
      externalId: '123456789:cbq:4382bfdwdsb323b2d9',
      contentType: 'interactive',
      content: 'Opening hours',
      metadata: { callbackQueryId: '4382bfdwdsb323b2d9', data: 'hours' },
    });
  });

  it('groups follow the integration’s setting', () => {
    expect(parseTelegram(telegram.groupMention, bot).messages[0]).toMatchObject({ contact: { externalId: '-1001234567890', name: 'Soporte Acme' }, metadata: { group: true, telegramMessageId: 77 } });
    expect(parseTelegram(telegram.groupChatter, bot)).toMatchObject({ messages: [], ignored: 1 });
    expect(parseTelegram(telegram.groupChatter, { ...bot, groups: 'all' }).messages).toHaveLength(1);
    expect(parseTelegram(telegram.groupMention, { ...bot, groups: 'ignore' })).toMatchObject({ messages: [], ignored: 1 });
    expect(parseTelegram(telegram.groupJoin, { ...bot, groups: 'all' })).toMatchObject({ messages: [], ignored: 1 });
  });

  it('channel posts and non-updates are ignored', () => {
    expect(parseTelegram(telegram.channelPost, bot)).toMatchObject({ messages: [], ignored: 1 });
    expect(parseTelegram({ hello: 'world' }, bot).ignored).toBe(1);
    expect(parseTelegram([1, 2, 3], bot).ignored).toBe(1);
  });
});

describe('Meta signatures', () => {
  it('accepts the app secret’s HMAC of the exact bytes and nothing else', async () => {
    const body = JSON.stringify(whatsapp.text);
    const bytes = new TextEncoder().encode(body);
    const signature = await signMetaPayload('app-secret-0123456789', body);
    expect(await verifyMetaSignature('app-secret-0123456789', bytes, signature)).toBe(true);
    expect(await verifyMetaSignature('another-secret-0123456', bytes, signature)).toBe(false);
    expect(await verifyMetaSignature('app-secret-0123456789', new TextEncoder().encode(`${body} `), signature)).toBe(false);
    expect(await verifyMetaSignature('app-secret-0123456789', bytes, signature.replace('sha256=', 'sha1='))).toBe(false);
    expect(await verifyMetaSignature('app-secret-0123456789', bytes, undefined)).toBe(false);
    expect(await verifyMetaSignature('app-secret-0123456789', bytes, 'sha256=zz')).toBe(false);
  });
});

describe('Graph errors', () => {
  const failure = (status: number, error: object, headers: Record<string, string> = {}) => metaFailure({ status, headers: new Headers(headers), json: { error } });

  it('tells retryable from permanent, and names the 24-hour window and expired tokens', () => {
    expect(failure(500, { code: 2, message: 'Service temporarily unavailable' })).toMatchObject({ transient: true });
    expect(failure(429, { code: 4 }, { 'retry-after': '30' })).toMatchObject({ transient: true, retryAfterSeconds: 30 });
    expect(failure(400, { code: 130429, message: 'Rate limit hit' })).toMatchObject({ transient: true });
    expect(failure(400, { code: 131047, message: 'Re-engagement message' })).toMatchObject({ transient: false, reason: expect.stringContaining('24-hour') });
    expect(failure(401, { code: 190, error_subcode: 463, message: 'Session has expired' })).toMatchObject({ transient: false, credentialsRejected: true, reason: expect.stringContaining('expired') });
    expect(failure(400, { code: 10, error_subcode: 2018278 })).toMatchObject({ transient: false, credentialsRejected: false, reason: expect.stringContaining('24-hour') });
    expect(failure(400, { code: 100, message: 'Invalid parameter' })).toMatchObject({ transient: false, credentialsRejected: false });
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(retryAfterSeconds('12')).toBe(12);
    // A fixed clock: the HTTP date five seconds after it (whole seconds, as the header carries them).
    const now = Date.parse('2026-03-01T10:00:00Z');
    expect(retryAfterSeconds(new Date(now + 5000).toUTCString(), now)).toBe(5);
    expect(retryAfterSeconds(new Date(now - 5000).toUTCString(), now)).toBe(0);
    expect(retryAfterSeconds('soon')).toBeUndefined();
    expect(retryAfterSeconds(null)).toBeUndefined();
  });
});

describe('splitting long answers', () => {
  it('keeps short texts whole', () => {
    expect(splitText('  Hola  ', { max: 4096, unit: 'chars' })).toEqual(['Hola']);
    expect(splitText('   ', { max: 10, unit: 'chars' })).toEqual([]);
  });

  it('cuts at paragraphs, then sentences, then words, every part within the limit', () => {
    const paragraph = 'Una frase corta. '.repeat(30).trim();
    const text = `${paragraph}\n\n${paragraph}\n\n${paragraph}`;
    const parts = splitText(text, { max: 600, unit: 'chars' });
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(600);
    expect(parts.join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' '));
    expect(parts.every((p) => p.endsWith('.'))).toBe(true);
  });

  it('counts bytes for Instagram and never splits an emoji', () => {
    const text = 'ñandú 😀 '.repeat(200);
    const parts = splitText(text, { max: 1000, unit: 'bytes' });
    for (const part of parts) {
      expect(new TextEncoder().encode(part).length).toBeLessThanOrEqual(1000);
      expect(part).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    }
    const word = '😀'.repeat(50);
    for (const part of splitText(word, { max: 15, unit: 'chars' })) expect(part).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });
});
