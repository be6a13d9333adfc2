import { and, desc, eq, isNotNull } from 'drizzle-orm';
import { messages } from '../../../../db/schema';
import type { MailAttachment, MailMessage, Services } from '../../../ports';
import { errorMessage } from '../http';
import { attachmentsToSend, fileOf } from '../media-send';
import type { IntegrationRow, MessageRow, PlatformResult, ReplyButtons, SendContext } from '../types';
import { mailgunConfigured, sendViaMailgun } from './mailgun-send';
import { EMAIL_SUBJECT_MAX } from './message';

/**
 * Our side of an email conversation goes out through the mail port, from the channel's inbox
 * address, as a reply in the customer's thread: `Re:` their subject, `In-Reply-To` their latest
 * mail and `References` the thread (RFC 5322 §3.6.4), so their client threads it and their answer
 * comes back naming our Message-ID, which is the sent message's external id.
 */
interface ThreadHead {
  subject: string | null;
  messageId: string | null;
  references: string[];
}

async function threadHead(services: Pick<Services, 'db'>, conversationId: string): Promise<ThreadHead> {
  const [last] = await services.db
    .select({ metadata: messages.metadata })
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.role, 'user'), isNotNull(messages.externalId)))
    .orderBy(desc(messages.createdAt))
    .limit(1);
  const email = (last?.metadata.email ?? {}) as { subject?: unknown; messageId?: unknown; references?: unknown };
  return {
    subject: typeof email.subject === 'string' ? email.subject : null,
    messageId: typeof email.messageId === 'string' ? email.messageId : null,
    references: Array.isArray(email.references) ? email.references.filter((r): r is string => typeof r === 'string') : [],
  };
}

export function replySubject(subject: string | null, fallback: string): string {
  const base = (subject ?? '').replace(/[\r\n]+/g, ' ').trim();
  if (!base) return `Re: ${fallback}`.slice(0, EMAIL_SUBJECT_MAX);
  return (/^(re|aw|rv|sv|antw)\s*:/i.test(base) ? base : `Re: ${base}`).slice(0, EMAIL_SUBJECT_MAX);
}

/** Our Message-ID for a stored message: the same on every retry, so a resend is recognisably one mail. */
export const outboundMessageId = (messageId: string, domain: string) => `${messageId}@${domain}`;

const bracket = (id: string) => `<${id}>`;
/** A display name safe in a header (quoted; no quotes, backslashes or line breaks inside). */
const displayName = (name: string) => `"${name.replace(/["\\\r\n]+/g, ' ').trim().slice(0, 100)}"`;

export async function sendEmailReply(
  services: Services,
  integration: IntegrationRow,
  message: MessageRow,
  to: string,
  text: string,
  buttons?: ReplyButtons,
  attachments: MailAttachment[] = [],
): Promise<PlatformResult<{ externalId: string }>> {
  const from = integration.externalAccountId;
  if (!from) return { ok: false, transient: false, reason: 'The email channel has no inbox address.' };
  const head = await threadHead(services, message.conversationId);
  const ownId = outboundMessageId(message.id, services.config.EMAIL_INBOUND_DOMAIN);
  const thread = head.messageId ? [...head.references.filter((r) => r !== head.messageId), head.messageId].slice(-10) : head.references.slice(-10);
  const headers: Record<string, string> = { 'Message-ID': bracket(ownId) };
  if (head.messageId) headers['In-Reply-To'] = bracket(head.messageId);
  if (thread.length > 0) headers.References = thread.map(bracket).join(' ');
  // RFC 3834: the bot's answers are automatic, so the customer's autoresponder stays quiet.
  if (message.role === 'assistant') headers['Auto-Submitted'] = 'auto-replied';
  const mail: MailMessage = {
    from: `${displayName(integration.name)} <${from}>`,
    replyTo: from,
    to,
    subject: replySubject(head.subject, integration.name),
    text: buttons ? `${text}\n\n${buttons.fallbackText}` : text,
    headers,
    ...(attachments.length > 0 ? { attachments } : {}),
  };
  try {
    // Mailgun (the provider whose inbound routes bring the mail in) when configured; the mail port otherwise.
    if (mailgunConfigured(services.config)) await sendViaMailgun(services.config, mail);
    else await services.mail.send(mail);
  } catch (error) {
    // The mail API's own refusals and outages look alike from here; the retry policy bounds both.
    return { ok: false, transient: true, reason: `The mail could not be sent: ${errorMessage(error)}` };
  }
  return { ok: true, externalId: ownId };
}

/**
 * The email adapter's send (platforms.ts): one mail per message, its files attached (never split,
 * never file-then-text as on chat platforms), threaded in the customer's conversation.
 */
export async function sendEmailMessage(context: SendContext, to: string, text: string, buttons?: ReplyButtons): Promise<PlatformResult<{ externalId: string }>> {
  const files = await mailAttachmentsOf(context.services, context.message);
  if (!files.ok) return { ok: false, transient: false, reason: files.reason };
  return sendEmailReply(context.services, context.integration, context.message, to, text, buttons, files.attachments);
}

async function mailAttachmentsOf(services: Services, message: MessageRow): Promise<{ ok: true; attachments: MailAttachment[] } | { ok: false; reason: string }> {
  const attachments: MailAttachment[] = [];
  for (const attachment of attachmentsToSend(message)) {
    const file = await fileOf(services, attachment);
    if (!file) return { ok: false, reason: `The file ${attachment.filename ?? ''} is no longer stored.` };
    attachments.push({ filename: attachment.filename ?? attachment.kind, contentType: file.type || 'application/octet-stream', content: new Uint8Array(await file.arrayBuffer()) });
  }
  return { ok: true, attachments };
}
