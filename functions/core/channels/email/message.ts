import { sha256Hex } from '../../../lib/crypto';
import type { InboundMessage } from '../types';
import { htmlToText, MAX_TEXT_OUTPUT, tidy } from './html-text';
import { stripReply } from './reply-text';

/**
 * One inbound mail as every way in delivers it (Mailgun's parsed form, Cloudflare Email Routing's
 * raw MIME through postal-mime, the local simulator): the same shape, stored the same way.
 */
export interface EmailAttachmentInput {
  filename: string | null;
  mimeType: string | null;
  size: number;
  /** An image the HTML shows inline (`cid:`), rather than a file the sender attached. */
  inline: boolean;
  contentId: string | null;
  read(): Promise<Uint8Array>;
}

export interface ParsedEmail {
  messageId: string | null;
  from: { address: string; name: string | null };
  /** Addresses the mail was delivered to (the envelope recipient first). */
  to: string[];
  subject: string;
  text: string | null;
  html: string | null;
  inReplyTo: string | null;
  references: string[];
  /** Headers that tell an automatic mail from a person's (lower-case names). */
  headers: Record<string, string>;
  attachments: EmailAttachmentInput[];
}

/** `Ana Pérez <ana@example.com>` → its parts; a bare address works too. */
export function parseMailbox(value: string): { address: string; name: string | null } | null {
  const angle = /^\s*(?:"?([^"<]*?)"?\s*)?<([^<>\s]+@[^<>\s]+)>\s*$/.exec(value);
  const address = angle ? angle[2] : /^\s*([^\s<>"]+@[^\s<>"]+)\s*$/.exec(value)?.[1];
  if (!address || address.length > 254) return null;
  const name = angle?.[1]?.trim() || null;
  return { address: address.toLowerCase(), name: name ? name.slice(0, 200) : null };
}

/** Message ids as stored: without the angle brackets, bounded. */
export function messageIds(value: string | null | undefined): string[] {
  if (!value) return [];
  const bracketed = value.match(/<[^<>\s]{1,250}>/g);
  const ids = bracketed ? bracketed.map((id) => id.slice(1, -1)) : value.split(/\s+/).filter(Boolean);
  return ids.filter((id) => id.length <= 250).slice(-20);
}

/**
 * Mail no person wrote: auto-replies, bounces, lists. The bot does not answer them, or two
 * autoresponders would write to each other forever (RFC 3834).
 */
export function isAutomatic(email: Pick<ParsedEmail, 'from' | 'headers'>): boolean {
  const h = email.headers;
  const autoSubmitted = (h['auto-submitted'] ?? '').trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return true;
  if (/^(bulk|junk|list|auto_reply)$/i.test((h.precedence ?? '').trim())) return true;
  if (h['x-autoreply'] || h['x-autorespond'] || h['x-auto-response-suppress']?.match(/all|oof|autoreply/i)) return true;
  if (h['list-id'] || h['list-unsubscribe']) return true;
  const local = email.from.address.split('@')[0];
  return /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)([+.-]|$)/i.test(local);
}

export const EMAIL_SUBJECT_MAX = 300;

/** The text a mail carries: the plain part, else the HTML reduced; bounded. */
export function bodyText(email: Pick<ParsedEmail, 'text' | 'html'>): string {
  if (email.text && email.text.trim()) return tidy(email.text.slice(0, MAX_TEXT_OUTPUT));
  if (email.html) return htmlToText(email.html);
  return '';
}

export type AttachmentKind = 'image' | 'audio' | 'video' | 'document' | 'sticker';
export const kindOf = (mimeType: string | null): AttachmentKind => {
  const type = (mimeType ?? '').split('/')[0].toLowerCase();
  return type === 'image' || type === 'audio' || type === 'video' ? type : 'document';
};

/** The customer message an inbound mail becomes (attachments are added once it is stored). */
export async function inboundFromEmail(email: ParsedEmail): Promise<InboundMessage> {
  const full = bodyText(email);
  const reply = stripReply(full);
  const subject = email.subject.slice(0, EMAIL_SUBJECT_MAX);
  const automatic = isAutomatic(email);
  // Without a Message-Id (rare, broken senders) the content is the idempotency key.
  const externalId = email.messageId ?? `nomid-${(await sha256Hex(`${email.from.address}\n${subject}\n${full}`)).slice(0, 40)}`;
  const content = reply.text || subject || '(empty email)';
  return {
    externalId,
    contact: { externalId: email.from.address, name: email.from.name, email: email.from.address },
    contentType: 'text',
    content,
    metadata: {
      email: {
        subject,
        from: email.from.address,
        fromName: email.from.name,
        to: email.to.slice(0, 10),
        messageId: email.messageId,
        inReplyTo: email.inReplyTo,
        references: email.references,
        ...(reply.stripped ? { fullText: full } : {}),
        ...(automatic ? { automatic: true } : {}),
      },
    },
    answer: !automatic,
    threadRefs: [...new Set([...(email.inReplyTo ? [email.inReplyTo] : []), ...email.references])],
  };
}
