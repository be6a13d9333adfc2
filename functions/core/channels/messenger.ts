import type { Config } from '../../lib/config';
import type { InstagramCredentials, MessengerCredentials } from './credentials';
import { graphCall } from './meta';
import type { TextLimit } from './split';
import { emptyParse, type InboundMessage, type ParsedWebhook, type PlatformResult, type Recipient, type ReplyButtons } from './types';

/**
 * Messenger and Instagram (Messenger Platform): the same webhook shape, `entry[].messaging[]`
 * events (`message`, `postback`, `delivery`, `read`, `reaction`, `message_edit`), under the
 * `page` or `instagram` object, and the same Send API, `POST /{version}/me/messages` with the
 * Page access token.
 */
export type MetaMessagingPlatform = 'messenger' | 'instagram';

export const MESSENGER_TEXT_LIMIT: TextLimit = { max: 2000, unit: 'chars' };
/** Instagram documents "UTF-8 and 1000 bytes or less": accented Spanish text is more bytes than characters. */
export const INSTAGRAM_TEXT_LIMIT: TextLimit = { max: 1000, unit: 'bytes' };

const OBJECT: Record<MetaMessagingPlatform, string> = { messenger: 'page', instagram: 'instagram' };
const ATTACHMENT_TYPES: Record<string, string> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  file: 'document',
  location: 'location',
  fallback: 'link',
  share: 'share',
  ig_reel: 'share',
  reel: 'share',
  ig_post: 'share',
  story_mention: 'story_mention',
};

type Body = Pick<InboundMessage, 'contentType' | 'content' | 'metadata' | 'answer'>;

function messageBody(message: any): Body {
  const attachments: any[] = Array.isArray(message.attachments) ? message.attachments : [];
  const text = typeof message.text === 'string' ? message.text : '';
  const replyTo = message.reply_to ? { replyTo: message.reply_to } : {};
  if (message.is_unsupported) return { contentType: 'unsupported', content: '[unsupported message]', metadata: replyTo, answer: false };
  if (message.quick_reply) {
    return { contentType: 'interactive', content: text || String(message.quick_reply.payload ?? ''), metadata: { quickReply: { payload: message.quick_reply.payload }, ...replyTo }, answer: true };
  }
  if (attachments.length === 0) return { contentType: 'text', content: text, metadata: replyTo, answer: true };
  const first = attachments[0] ?? {};
  const isSticker = first.type === 'image' && first.payload?.sticker_id !== undefined;
  const contentType = isSticker ? 'sticker' : (ATTACHMENT_TYPES[first.type] ?? 'unsupported');
  const stored = attachments.map((a) => ({ type: a?.type, url: a?.payload?.url, title: a?.payload?.title ?? a?.title, stickerId: a?.payload?.sticker_id, coordinates: a?.payload?.coordinates }));
  const coordinates = first.payload?.coordinates;
  const description =
    contentType === 'location' && coordinates
      ? `[location] ${first.title ? `${first.title} ` : ''}(${coordinates.lat}, ${coordinates.long})`
      : `[${contentType}${attachments.length > 1 ? ` ×${attachments.length}` : ''}]`;
  return {
    contentType,
    content: text || description,
    metadata: { attachments: stored, ...replyTo },
    // Stickers and story mentions are acknowledgements, not questions.
    answer: !isSticker && contentType !== 'story_mention' && contentType !== 'unsupported',
  };
}

export function parseMessaging(body: any, platform: MetaMessagingPlatform, accountId: string): ParsedWebhook {
  const parsed = emptyParse();
  if (body?.object !== OBJECT[platform] || !Array.isArray(body.entry)) {
    parsed.ignored += 1;
    return parsed;
  }
  for (const entry of body.entry) {
    const events: any[] = Array.isArray(entry?.messaging) ? entry.messaging : [];
    // One Meta app has one callback URL: events for another page or account are not ours to store.
    if (String(entry?.id ?? '') !== accountId) {
      parsed.ignored += events.length || 1;
      continue;
    }
    if (Array.isArray(entry.standby)) parsed.ignored += entry.standby.length;
    for (const event of events) {
      const sender = event?.sender?.id ? String(event.sender.id) : '';
      const at = typeof event?.timestamp === 'number' ? event.timestamp : undefined;
      if (event?.message?.is_echo) {
        // Our own sends (and the page's) come back as echoes: a receipt, never a customer message.
        if (event.message.mid) parsed.statuses.push({ kind: 'message', externalId: String(event.message.mid), status: 'sent' });
        else parsed.ignored += 1;
      } else if (event?.message?.mid && sender && !event.message.is_deleted) {
        const content = messageBody(event.message);
        parsed.messages.push({ externalId: String(event.message.mid), contact: { externalId: sender }, ...content, metadata: { ...content.metadata, timestamp: at } });
      } else if (event?.postback && sender) {
        const postback = event.postback;
        parsed.messages.push({
          externalId: postback.mid ? String(postback.mid) : `postback:${sender}:${at ?? Date.now()}`,
          contact: { externalId: sender },
          contentType: 'interactive',
          content: String(postback.title ?? postback.payload ?? '[postback]'),
          metadata: { postback: { payload: postback.payload, title: postback.title, referral: postback.referral }, timestamp: at },
          answer: true,
        });
      } else if (event?.delivery && sender) {
        for (const mid of Array.isArray(event.delivery.mids) ? event.delivery.mids : []) {
          parsed.statuses.push({ kind: 'message', externalId: String(mid), status: 'delivered' });
        }
        if (event.delivery.watermark) {
          parsed.statuses.push({ kind: 'watermark', contactExternalId: sender, status: 'delivered', watermark: new Date(Number(event.delivery.watermark)).toISOString() });
        }
      } else if (event?.read && sender) {
        // Messenger reads carry a watermark (everything before it); Instagram names the message.
        if (event.read.mid) parsed.statuses.push({ kind: 'message', externalId: String(event.read.mid), status: 'read' });
        if (event.read.watermark) {
          parsed.statuses.push({ kind: 'watermark', contactExternalId: sender, status: 'read', watermark: new Date(Number(event.read.watermark)).toISOString() });
        }
      } else if (event?.reaction?.mid && sender) {
        const reaction = event.reaction;
        parsed.messages.push({
          externalId: `reaction:${reaction.mid}:${reaction.action ?? 'react'}:${at ?? Date.now()}`,
          contact: { externalId: sender },
          contentType: 'reaction',
          content: reaction.action === 'unreact' ? '(reaction removed)' : String(reaction.emoji ?? reaction.reaction ?? ''),
          metadata: { reaction: { targetExternalId: reaction.mid, action: reaction.action, reaction: reaction.reaction, emoji: reaction.emoji }, timestamp: at },
          answer: false,
        });
      } else if (event?.message_edit?.mid && sender) {
        parsed.edits.push({
          externalId: String(event.message_edit.mid),
          contact: { externalId: sender },
          content: String(event.message_edit.text ?? ''),
          editedAt: new Date(at ?? Date.now()).toISOString(),
          metadata: { numEdit: event.message_edit.num_edit },
        });
      } else {
        parsed.ignored += 1;
      }
    }
  }
  return parsed;
}

/**
 * Send API. Bot answers are `RESPONSE`s inside the 24-hour window; a person answering later needs
 * the `HUMAN_AGENT` tag (allowed for 7 days after the customer's last message).
 */
export async function sendMetaText(
  config: Config,
  pageAccessToken: string,
  recipient: Recipient,
  text: string,
  role: 'assistant' | 'agent',
  buttons?: ReplyButtons,
): Promise<PlatformResult<{ externalId: string }>> {
  const tagged = role === 'agent' && recipient.outsideStandardWindow;
  // Quick replies (Messenger and Instagram alike): a tap comes back as a message with `quick_reply.payload`.
  const quickReplies = buttons?.replies.slice(0, 13).map((reply) => ({ content_type: 'text', title: reply.label.slice(0, 20), payload: reply.id }));
  const result = await graphCall<{ message_id?: string }>(config, 'me/messages', pageAccessToken, {
    body: {
      recipient: { id: recipient.externalId },
      messaging_type: tagged ? 'MESSAGE_TAG' : 'RESPONSE',
      ...(tagged ? { tag: 'HUMAN_AGENT' } : {}),
      message: quickReplies && quickReplies.length > 0 ? { text, quick_replies: quickReplies } : { text },
    },
  });
  if (!result.ok) return result;
  return result.data.message_id ? { ok: true, externalId: result.data.message_id } : { ok: false, transient: false, reason: 'Meta accepted the message but returned no message id' };
}

const PAGE_FIELDS = 'messages,messaging_postbacks,message_deliveries,message_reads,message_echoes,message_reactions,message_edits';

/** Connect (Messenger): the token must be the page's own, then the app is subscribed to the page's messaging events. */
export async function checkMessenger(config: Config, credentials: MessengerCredentials): Promise<PlatformResult<{ account: { id: string; name: string | null; handle: string | null } }>> {
  const me = await graphCall<{ id?: string; name?: string }>(config, 'me?fields=id,name', credentials.pageAccessToken);
  if (!me.ok) return me;
  if (String(me.data.id) !== credentials.pageId) {
    return { ok: false, transient: false, credentialsRejected: true, reason: `The access token belongs to page ${me.data.id}, not ${credentials.pageId}` };
  }
  const subscribed = await graphCall(config, `${credentials.pageId}/subscribed_apps?subscribed_fields=${PAGE_FIELDS}`, credentials.pageAccessToken, { method: 'POST' });
  if (!subscribed.ok) return subscribed;
  return { ok: true, account: { id: credentials.pageId, name: me.data.name ?? null, handle: null } };
}

/** Connect (Instagram): the professional account must be readable with the linked page's token. */
export async function checkInstagram(config: Config, credentials: InstagramCredentials): Promise<PlatformResult<{ account: { id: string; name: string | null; handle: string | null } }>> {
  const account = await graphCall<{ id?: string; username?: string; name?: string }>(config, `${credentials.accountId}?fields=id,username,name`, credentials.pageAccessToken);
  if (!account.ok) return account;
  return { ok: true, account: { id: credentials.accountId, name: account.data.name ?? null, handle: account.data.username ? `@${account.data.username}` : null } };
}
