import type { Config } from '../../lib/config';
import type { WhatsAppCredentials } from './credentials';
import { graphCall } from './meta';
import type { TextLimit } from './split';
import { emptyParse, type InboundMessage, type ParsedWebhook, type PlatformResult, type ReplyButtons, type StatusUpdate } from './types';

/**
 * WhatsApp Cloud API: webhooks arrive as `whatsapp_business_account` objects whose `messages`
 * changes carry customer messages and receipts (`statuses`) for what we sent; we send with
 * `POST /{version}/{phone_number_id}/messages`.
 */
export const WHATSAPP_TEXT_LIMIT: TextLimit = { max: 4096, unit: 'chars' };

const MEDIA_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker']);
const STATUSES = new Set(['sent', 'delivered', 'read', 'failed']);

interface WhatsAppMessage {
  id: string;
  from: string;
  timestamp?: string;
  type: string;
  context?: { from?: string; id?: string };
  referral?: unknown;
  errors?: unknown[];
  [type: string]: any;
}

function describeLocation(location: { latitude?: number; longitude?: number; name?: string; address?: string }) {
  const place = [location.name, location.address].filter(Boolean).join(', ');
  return `[location] ${place ? `${place} ` : ''}(${location.latitude}, ${location.longitude})`;
}

/** The part of one message that differs by type: its content type, text, metadata, and whether the bot answers. */
function messageBody(m: WhatsAppMessage): Pick<InboundMessage, 'contentType' | 'content' | 'metadata' | 'answer'> {
  if (m.type === 'text') return { contentType: 'text', content: String(m.text?.body ?? ''), metadata: {}, answer: true };
  if (MEDIA_TYPES.has(m.type)) {
    const media = m[m.type] ?? {};
    const label = media.filename ? `[${m.type}: ${media.filename}]` : `[${m.type}]`;
    return {
      contentType: m.type,
      content: media.caption ? String(media.caption) : label,
      metadata: { media: { id: media.id, mimeType: media.mime_type, sha256: media.sha256, caption: media.caption, filename: media.filename, voice: media.voice, animated: media.animated } },
      // A sticker is a reaction more than a question.
      answer: m.type !== 'sticker',
    };
  }
  if (m.type === 'location') return { contentType: 'location', content: describeLocation(m.location ?? {}), metadata: { location: m.location }, answer: true };
  if (m.type === 'contacts') {
    const cards = Array.isArray(m.contacts) ? m.contacts : [];
    const names = cards.map((c: any) => c?.name?.formatted_name).filter(Boolean);
    return { contentType: 'contacts', content: `[contacts] ${names.join(', ')}`.trim(), metadata: { contacts: cards }, answer: true };
  }
  if (m.type === 'interactive') {
    const kind = m.interactive?.type as string | undefined;
    const reply = kind ? m.interactive?.[kind] : undefined;
    const title = reply?.title ?? reply?.body ?? reply?.name ?? '';
    return {
      contentType: 'interactive',
      content: String(title || '[interactive reply]'),
      metadata: { interactive: { type: kind, id: reply?.id, title: reply?.title, description: reply?.description, response: reply?.response_json } },
      answer: true,
    };
  }
  if (m.type === 'button') {
    return { contentType: 'interactive', content: String(m.button?.text ?? m.button?.payload ?? '[button]'), metadata: { button: { payload: m.button?.payload, text: m.button?.text } }, answer: true };
  }
  if (m.type === 'reaction') {
    return {
      contentType: 'reaction',
      content: m.reaction?.emoji ? String(m.reaction.emoji) : '(reaction removed)',
      metadata: { reaction: { targetExternalId: m.reaction?.message_id, emoji: m.reaction?.emoji ?? null } },
      answer: false,
    };
  }
  if (m.type === 'order') {
    return { contentType: 'order', content: String(m.order?.text ?? '[order]'), metadata: { order: m.order }, answer: true };
  }
  if (m.type === 'system') {
    return { contentType: 'system', content: String(m.system?.body ?? '[system]'), metadata: { system: m.system }, answer: false };
  }
  return { contentType: 'unsupported', content: `[unsupported: ${m.type}]`, metadata: { errors: m.errors }, answer: false };
}

function statusError(errors: unknown): string | null {
  const first = Array.isArray(errors) ? (errors[0] as { code?: number; title?: string; message?: string; error_data?: { details?: string } }) : undefined;
  if (!first) return null;
  const text = first.error_data?.details ?? first.message ?? first.title ?? 'Delivery failed';
  const window = first.code === 131047 ? 'Outside WhatsApp\u2019s 24-hour customer service window. ' : '';
  return `${window}${text}${first.code ? ` (WhatsApp error ${first.code})` : ''}`;
}

export function parseWhatsApp(body: any, phoneNumberId: string): ParsedWebhook {
  const parsed = emptyParse();
  if (body?.object !== 'whatsapp_business_account' || !Array.isArray(body.entry)) {
    parsed.ignored += 1;
    return parsed;
  }
  for (const entry of body.entry) {
    for (const change of Array.isArray(entry?.changes) ? entry.changes : []) {
      const value = change?.value;
      if (change?.field !== 'messages' || !value) {
        parsed.ignored += 1;
        continue;
      }
      // Meta sends one app's webhooks to one URL: another number's traffic is not ours to store.
      if (String(value.metadata?.phone_number_id ?? '') !== phoneNumberId) {
        parsed.ignored += (value.messages?.length ?? 0) + (value.statuses?.length ?? 0) || 1;
        continue;
      }
      const names = new Map<string, string>();
      for (const contact of Array.isArray(value.contacts) ? value.contacts : []) {
        if (contact?.wa_id && contact.profile?.name) names.set(String(contact.wa_id), String(contact.profile.name));
      }
      for (const m of Array.isArray(value.messages) ? (value.messages as WhatsAppMessage[]) : []) {
        if (!m?.id || !m.from) {
          parsed.ignored += 1;
          continue;
        }
        const from = String(m.from);
        const body = messageBody(m);
        parsed.messages.push({
          externalId: String(m.id),
          contact: { externalId: from, name: names.get(from) ?? null, phone: `+${from}`.slice(0, 32) },
          ...body,
          metadata: { ...body.metadata, rawType: m.type, timestamp: m.timestamp, ...(m.context ? { context: m.context } : {}), ...(m.referral ? { referral: m.referral } : {}) },
        });
      }
      for (const s of Array.isArray(value.statuses) ? value.statuses : []) {
        if (!s?.id || !STATUSES.has(s.status)) {
          parsed.ignored += 1;
          continue;
        }
        const update: StatusUpdate = { kind: 'message', externalId: String(s.id), status: s.status, error: s.status === 'failed' ? statusError(s.errors) : null, at: s.timestamp };
        parsed.statuses.push(update);
      }
    }
  }
  return parsed;
}

/** Interactive messages take a body of up to 1024 characters and up to 3 reply buttons of 20. */
const INTERACTIVE_BODY_LIMIT = 1024;
const MAX_BUTTONS = 3;
/** List messages: up to 10 rows of 24-character titles, opened by a button of 20. */
const MAX_LIST_ROWS = 10;

function messageOf(to: string, text: string, buttons?: ReplyButtons): Record<string, unknown> {
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
  if (buttons && buttons.replies.length > MAX_BUTTONS && buttons.replies.length <= MAX_LIST_ROWS && text.length <= INTERACTIVE_BODY_LIMIT) {
    return {
      ...base,
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text },
        action: {
          button: (buttons.listButton ?? 'Options').slice(0, 20),
          sections: [{ rows: buttons.replies.map((reply) => ({ id: reply.id, title: reply.label.slice(0, 24) })) }],
        },
      },
    };
  }
  if (buttons && buttons.replies.length > 0 && buttons.replies.length <= MAX_BUTTONS && text.length <= INTERACTIVE_BODY_LIMIT) {
    return {
      ...base,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text },
        action: { buttons: buttons.replies.slice(0, MAX_BUTTONS).map((reply) => ({ type: 'reply', reply: { id: reply.id, title: reply.label.slice(0, 20) } })) },
      },
    };
  }
  const body = buttons ? `${text}\n\n${buttons.fallbackText}` : text;
  return { ...base, type: 'text', text: { body: body.length <= WHATSAPP_TEXT_LIMIT.max ? body : text, preview_url: false } };
}

export async function sendWhatsAppText(
  config: Config,
  credentials: WhatsAppCredentials,
  to: string,
  text: string,
  buttons?: ReplyButtons,
): Promise<PlatformResult<{ externalId: string }>> {
  const result = await graphCall<{ messages?: Array<{ id?: string }> }>(config, `${credentials.phoneNumberId}/messages`, credentials.accessToken, {
    body: messageOf(to, text, buttons),
  });
  if (!result.ok) return result;
  const id = result.data.messages?.[0]?.id;
  return id ? { ok: true, externalId: id } : { ok: false, transient: false, reason: 'WhatsApp accepted the message but returned no message id' };
}

/** Connect: the phone number must be readable with the token; subscribes the app to the WABA when its id is given. */
export async function checkWhatsApp(config: Config, credentials: WhatsAppCredentials): Promise<PlatformResult<{ account: { id: string; name: string | null; handle: string | null } }>> {
  const phone = await graphCall<{ id?: string; display_phone_number?: string; verified_name?: string }>(
    config,
    `${credentials.phoneNumberId}?fields=display_phone_number,verified_name`,
    credentials.accessToken,
  );
  if (!phone.ok) return phone;
  if (credentials.businessAccountId) {
    const subscribed = await graphCall(config, `${credentials.businessAccountId}/subscribed_apps`, credentials.accessToken, { method: 'POST' });
    if (!subscribed.ok) return subscribed;
  }
  return {
    ok: true,
    account: { id: credentials.phoneNumberId, name: phone.data.verified_name ?? null, handle: phone.data.display_phone_number ?? null },
  };
}
