import type { channels, messages } from '../../../db/schema';
import type { Services } from '../../ports';

/**
 * What every platform's webhook parser turns a payload into, and what every platform's sender
 * answers. Inbound handling and delivery only ever see these shapes, so WhatsApp, Messenger,
 * Instagram and Telegram differ only in their own files.
 */
export type Platform = (typeof channels.$inferSelect)['platform'];
export const PLATFORMS = ['whatsapp', 'messenger', 'instagram', 'telegram', 'email', 'slack', 'discord'] as const satisfies readonly Platform[];
export type IntegrationRow = typeof channels.$inferSelect;
/** What a webhook needs of its integration (cached in KV, so JSON-safe: no dates). */
export type WebhookIntegration = Pick<IntegrationRow, 'id' | 'organizationId' | 'botId' | 'platform' | 'status' | 'credentialsEncrypted' | 'settings'>;
export type MessageRow = typeof messages.$inferSelect;
export type DeliveryStatus = NonNullable<MessageRow['deliveryStatus']>;

/** One person (or Telegram group) as the platform names them; `externalId` is where replies go. */
export interface InboundContact {
  externalId: string;
  name?: string | null;
  phone?: string | null;
  email?: string | null;
  attributes?: Record<string, unknown>;
}

/** A message a customer wrote (or a button they tapped). */
export interface InboundMessage {
  /** The platform's message id: platforms redeliver, so it is the idempotency key. */
  externalId: string;
  contact: InboundContact;
  /** text, image, audio, video, document, location, contacts, interactive, sticker, reaction, command, unsupported… */
  contentType: string;
  /** What the inbox shows and the bot reads: the text, a caption, a button title, or a short description. */
  content: string;
  /** Media ids and captions, coordinates, button payloads, the sender in a group, the raw type. */
  metadata: Record<string, unknown>;
  /** False for things nobody answers (reactions, group chatter the bot was not addressed in). */
  answer: boolean;
  /**
   * Email: the message ids this one answers (`In-Reply-To`, `References`). The conversation that
   * holds one of them is this message's; without a match the sender's open conversation is, and
   * a resolved one is not reopened (a new mail is a new subject).
   */
  threadRefs?: string[];
}

/** A customer changed a message they sent earlier. */
export interface InboundEdit {
  /** The edited message's id (the same id the original arrived with). */
  externalId: string;
  contact: InboundContact;
  content: string;
  editedAt: string;
  metadata: Record<string, unknown>;
}

/** A receipt for something we sent: by message id, or (Messenger) everything up to a watermark. */
export type StatusUpdate =
  | { kind: 'message'; externalId: string; status: DeliveryStatus; error?: string | null; at?: string }
  | { kind: 'watermark'; contactExternalId: string; status: 'delivered' | 'read'; watermark: string };

export interface ParsedWebhook {
  messages: InboundMessage[];
  edits: InboundEdit[];
  statuses: StatusUpdate[];
  /** Events understood but deliberately not stored (unknown objects, other accounts, group chatter). */
  ignored: number;
}

export const emptyParse = (): ParsedWebhook => ({ messages: [], edits: [], statuses: [], ignored: 0 });

/**
 * Why a platform call did not work. `transient` ones are retried (5xx, 429, rate limits, network);
 * `credentialsRejected` means the token or secret itself is bad, so the whole channel is in error.
 */
export interface PlatformFailure {
  ok: false;
  transient: boolean;
  reason: string;
  retryAfterSeconds?: number;
  credentialsRejected?: boolean;
  status?: number;
}

export type PlatformResult<T> = ({ ok: true } & T) | PlatformFailure;

/**
 * Buttons under a message (the bot's offer of a person). Each platform sends them its own way and
 * a tap comes back inbound with the button's id; `fallbackText` is added when they cannot be shown.
 */
export interface ReplyButtons {
  replies: Array<{ id: string; label: string }>;
  fallbackText: string;
  /** The label of the button that opens a list (WhatsApp, more than 3 choices). */
  listButton?: string;
}

/** Where a reply goes: the contact's platform id, plus what a Telegram group reply quotes. */
export interface Recipient {
  externalId: string;
  /** Telegram groups: the message being answered, quoted so the group sees who is answered. */
  replyToPlatformMessageId?: number;
  /** Meta: the customer's last message is over 24 h old (agents then need the HUMAN_AGENT tag). */
  outsideStandardWindow?: boolean;
  /** The metadata of the customer message a bot reply answers (Discord: the interaction to follow up). */
  replyContext?: Record<string, unknown>;
}

/**
 * What a platform adapter's send may need besides the credentials: the services (settings, the
 * outbound port for addresses a platform hands back, stored files, the mail sender), the channel,
 * and the message going out.
 */
export interface SendContext {
  services: Services;
  integration: IntegrationRow;
  message: MessageRow;
}
