import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hmacSha256Hex } from '../../../lib/crypto';
import { htmlToText, MAX_TEXT_OUTPUT } from './html-text';
import { checkMailgunSignature, formOf, parseMailgunForm } from './mailgun';
import { inboundFromEmail, isAutomatic, messageIds, parseMailbox } from './message';
import { parseMime } from './mime';
import { replySubject } from './outbound';
import { stripReply } from './reply-text';
import { inboxAddress } from './address';
import { attachmentBlobKey } from '../attachments';
import { mailgunFieldsFromMime, multipartBody } from '../../../testing/fake-mailgun';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/email/${name}`, import.meta.url));

describe('HTML reduced to text', () => {
  it('drops script, style, head and comments, even unclosed or oddly cased', () => {
    const html = `<HTML><HEAD><TITLE>t</TITLE><Style>body{x:1}</STYLE></HEAD><body>Hi<script type="x">alert("pwn")</script> there<!-- secret --><SCRIPT>never
      <p>after</p>`;
    const text = htmlToText(html);
    expect(text).toBe('Hi there');
    expect(text).not.toMatch(/alert|secret|body\{|never|after/);
  });

  it('does not mistake <stylesheet> or <scripted> for the dropped elements', () => {
    expect(htmlToText('<scripted>kept</scripted> <stylesheet>too</stylesheet>')).toBe('kept too');
  });

  it('decodes entities once, so encoded markup stays text and never becomes a tag', () => {
    expect(htmlToText('<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp;lt; &#x41;&#66; caf&eacute; &#0; &#xD800;</p>')).toBe('<script>alert(1)</script> &lt; AB café \uFFFD \uFFFD');
  });

  it('keeps links as text, only http(s) and mailto targets', () => {
    const text = htmlToText('<a href="https://shop.example/hours">our hours</a> <a href="javascript:alert(1)">click</a> <a href="mailto:a@b.example">a@b.example</a>');
    expect(text).toBe('our hours (https://shop.example/hours) click a@b.example');
  });

  it('turns blocks into lines, list items into dashes, images into their alt text', () => {
    expect(htmlToText('<div>One</div><div>Two<br>Three</div><ul><li>a</li><li>b</li></ul><img src="x" alt="logo">')).toBe('One\n\nTwo\nThree\n\n- a\n- b\n[logo]');
  });

  it('bounds its output and stays linear on pathological input', () => {
    const huge = '<p>' + 'word '.repeat(100_000) + '</p>' + '<'.repeat(200_000) + '<a href="'.repeat(20_000);
    const text = htmlToText(huge);
    expect(text.length).toBeLessThanOrEqual(MAX_TEXT_OUTPUT);
    expect(text.startsWith('word word')).toBe(true);
  });
});

describe('quoted history and signatures', () => {
  it('cuts a Gmail attribution and what it quotes', () => {
    const reply = stripReply('Thanks, that works.\n\nOn Sat, 5 Dec 2026 at 10:01, Acme <x@y.z> wrote:\n> earlier\n> text');
    expect(reply).toEqual({ text: 'Thanks, that works.', stripped: true });
  });

  it('cuts Spanish and two-line attributions, Outlook headers and signatures', () => {
    expect(stripReply('Vale.\nEl sáb, 5 dic 2026 a las 10:01, Acme (<x@y.z>)\nescribió:\n> hola').text).toBe('Vale.');
    expect(stripReply('Sure.\n\nFrom: Acme <x@y.z>\nSent: Saturday\nTo: me\nSubject: hi\n\nold').text).toBe('Sure.');
    expect(stripReply('Yes please.\n-- \nAna\nDirector').text).toBe('Yes please.');
    expect(stripReply('Ok\n\nSent from my iPhone').text).toBe('Ok');
  });

  it('keeps inline answers between quoted lines, and the whole text when nothing would be left', () => {
    expect(stripReply('> Do you open on Sunday?\nNo, sorry.\n> And Saturday?\nUntil 20:00.').stripped).toBe(false);
    expect(stripReply('> only quoted\n> text')).toEqual({ text: '> only quoted\n> text', stripped: false });
  });
});

describe('addresses, ids and loops', () => {
  it('reads mailboxes and message ids', () => {
    expect(parseMailbox('"Ana Pérez" <Ana@Example.com>')).toEqual({ address: 'ana@example.com', name: 'Ana Pérez' });
    expect(parseMailbox('ana@example.com')).toEqual({ address: 'ana@example.com', name: null });
    expect(parseMailbox('not an address')).toBeNull();
    expect(messageIds('<a@x> <b@y>\r\n <c@z>')).toEqual(['a@x', 'b@y', 'c@z']);
  });

  it('recognises auto-replies, bulk mail and bounces, and not a person', () => {
    const person = { from: { address: 'ana@example.com', name: null }, headers: {} };
    expect(isAutomatic(person)).toBe(false);
    expect(isAutomatic({ ...person, headers: { 'auto-submitted': 'no' } })).toBe(false);
    expect(isAutomatic({ ...person, headers: { 'auto-submitted': 'auto-replied' } })).toBe(true);
    expect(isAutomatic({ ...person, headers: { precedence: 'bulk' } })).toBe(true);
    expect(isAutomatic({ from: { address: 'MAILER-DAEMON@mx.example.com', name: null }, headers: {} })).toBe(true);
    expect(isAutomatic({ from: { address: 'no-reply@shop.example', name: null }, headers: {} })).toBe(true);
  });

  it('makes unguessable inbox addresses from the slug and safe blob keys', () => {
    const address = inboxAddress('Acme Shop!', 'inbound.example.com');
    expect(address).toMatch(/^acme-shop-[a-z2-9]{10}@inbound\.example\.com$/);
    expect(inboxAddress('Acme Shop!', 'inbound.example.com')).not.toBe(address);
    expect(attachmentBlobKey('org1', 'msg1', 1, '../../etc/passwd')).toBe('org/org1/attachments/msg1/1-passwd');
    expect(attachmentBlobKey('org1', 'msg1', 3, null)).toBe('org/org1/attachments/msg1/3-file');
  });

  it('answers in the thread with one Re:', () => {
    expect(replySubject('Horario', 'Acme')).toBe('Re: Horario');
    expect(replySubject('RE: Horario', 'Acme')).toBe('RE: Horario');
    expect(replySubject(null, 'Acme')).toBe('Re: Acme');
  });
});

describe('Mailgun signature', () => {
  const key = 'key-0123456789abcdef0123456789abcdef';
  it('is HMAC-SHA256 of timestamp+token with the signing key, fresh', async () => {
    const now = 1_765_000_000_000;
    const timestamp = String(now / 1000);
    const token = 'a'.repeat(50);
    const signature = await hmacSha256Hex(key, timestamp + token);
    expect(await checkMailgunSignature(key, { timestamp, token, signature }, now, 900)).toBe('valid');
    expect(await checkMailgunSignature('another-key-0123456789', { timestamp, token, signature }, now, 900)).toBe('forged');
    expect(await checkMailgunSignature(key, { timestamp: String(now / 1000 + 1), token, signature }, now, 900)).toBe('forged');
    expect(await checkMailgunSignature(key, { timestamp, token, signature }, now + 901_000, 900)).toBe('stale');
  });
});

describe('real MIME fixtures', () => {
  it('a multipart/alternative mail with an inline image and an attachment', async () => {
    const email = await parseMime(fixture('first.eml'), 'acme-fixture@inbound.versaai.local');
    expect(email).not.toBeNull();
    expect(email!.from).toEqual({ address: 'ana.perez@example.com', name: 'Ana Pérez' });
    expect(email!.subject).toBe('Horario de la tienda ¿abrís el domingo?');
    expect(email!.messageId).toBe('CAFx1-first-mail@mail.example.com');
    expect(email!.attachments.map((a) => [a.filename, a.mimeType, a.inline])).toEqual([
      ['logo.png', 'image/png', true],
      ['factura 12.pdf', 'application/pdf', false],
    ]);
    const inbound = await inboundFromEmail(email!);
    expect(inbound.content).toBe('Hola, ¿abren el domingo? Adjunto la factura.');
    expect(inbound.answer).toBe(true);
    expect(inbound.contact).toMatchObject({ externalId: 'ana.perez@example.com', name: 'Ana Pérez' });
  });

  it('the HTML part alone is reduced safely', async () => {
    const email = await parseMime(fixture('first.eml'));
    const inbound = await inboundFromEmail({ ...email!, text: null });
    expect(inbound.content).toBe('Hola, ¿abren el domingo?\n\nAdjunto la factura.\n[logo]');
  });

  it('a reply keeps only the new text; the full text stays in metadata', async () => {
    const email = await parseMime(fixture('reply.eml'));
    const inbound = await inboundFromEmail(email!);
    expect(inbound.content).toBe('Perfecto, ¿y el sábado hasta qué hora?');
    expect((inbound.metadata.email as { fullText: string }).fullText).toContain('el domingo la tienda está cerrada');
    expect(inbound.threadRefs).toEqual(['OUR-MESSAGE-ID', 'CAFx1-first-mail@mail.example.com']);
  });

  it('an auto-reply is stored but not answered', async () => {
    const inbound = await inboundFromEmail((await parseMime(fixture('auto-reply.eml')))!);
    expect(inbound.answer).toBe(false);
  });

  it('Mailgun\u2019s form of the same mail parses to the same message', async () => {
    const { fields, files } = await mailgunFieldsFromMime(fixture('first.eml'), 'acme-fixture@inbound.versaai.local');
    const { body, contentType } = multipartBody(Object.entries(fields), files);
    const form = await formOf(body, contentType);
    const email = parseMailgunForm(form!);
    expect(email!.messageId).toBe('CAFx1-first-mail@mail.example.com');
    expect(email!.attachments.map((a) => [a.filename, a.inline, a.contentId])).toEqual([
      ['logo.png', true, 'logo@example.com'],
      ['factura 12.pdf', false, null],
    ]);
    const bytes = await email!.attachments[1].read();
    expect(new TextDecoder().decode(bytes)).toContain('%PDF-1.4');
  });
});
