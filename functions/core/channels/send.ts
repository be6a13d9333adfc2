import { and, eq, sql } from 'drizzle-orm';
import { channels, contacts, conversations, messages } from '../../../db/schema';
import type { Services } from '../../ports';
import { loadBotRuntime, type BotRuntime } from '../chat/bot-runtime';
import { replyToStoredMessage } from '../chat/engine';
import { HANDOFF_OFFER_HINT, type QuickReply } from '../chat/handoff';
import { storeReply } from '../chat/store';
import { messageEventData, publishMessageCreated, publishMessageFailed } from '../conversations/events';
import { publishEvent } from '../events/publish';
import { openCredentials, type AnyCredentials, type TelegramCredentials, type WhatsAppCredentials } from './credentials';
import { errorMessage } from './http';
import { platformAdapter, type PlatformAdapter } from './platforms';
import { signalAnswering } from './signals';
import { noteChannelError } from './state';
import { splitText, type TextLimit } from './split';
import { attachmentsToSend, sendMessageAttachments } from './media-send';
import { answerCallbackQuery } from './telegram';
import { sendWhatsAppTemplate, type TemplatePayload } from './whatsapp-templates';
import type { IntegrationRow, MessageRow, Platform, PlatformFailure, Recipient, ReplyButtons, SendContext } from './types';

/**
 * Sending our side of a channel conversation, for the bot's answers and agents' replies alike:
 * split at the platform's limit, send part by part (progress is saved, so a retry never repeats a
 * part that went out), then store the platform's id and `sent`. Platform hiccups (5xx, 429, rate
 * limits, timeouts) are retried by queueing the job again after the platform's `Retry-After` or a
 * doubling delay: QStash cannot be told a delay from a failed delivery, so "throw and let the
 * queue retry" could not honour Retry-After. Permanent errors mark the message failed with the
 * reason and show on the channel's status.
 */
export const SEND_JOB = 'send-channel-message';
const CHANNEL_PLATFORMS = new Set<string>(['whatsapp', 'messenger', 'instagram', 'telegram', 'email', 'slack', 'discord']);
const DONE = new Set(['sent', 'delivered', 'read', 'failed']);
const DAY_MS = 86_400_000;
/** Where replies go: the contact's id on the platform, or, for a merged contact, the identity the conversation came from. */
const recipientExternalId = sql<string>`coalesce(${conversations.metadata}->>'recipientExternalId', ${contacts.externalId})`;
/** A message written before delivery tracking (no status yet) counts as pending. */
const stillPending = sql`coalesce(${messages.deliveryStatus}, 'pending') = 'pending'`;

export type DeliveryOutcome =
  | { outcome: 'sent'; parts: number; externalId: string }
  | { outcome: 'retrying'; attempt: number; delaySeconds: number; reason: string }
  | { outcome: 'failed'; reason: string }
  | { outcome: 'skipped'; reason: string };

interface DeliveryContext {
  message: MessageRow;
  integration: IntegrationRow | null;
  contactExternalId: string;
  /** The customer message this answers (Telegram groups quote it). */
  repliedMetadata: Record<string, unknown> | null;
  lastCustomerAt: Date | null;
}

async function loadDelivery(services: Services, messageId: string): Promise<DeliveryContext | null> {
  const [row] = await services.db
    .select({
      message: messages,
      integration: channels,
      contactExternalId: recipientExternalId,
      repliedMetadata: sql<Record<string, unknown> | null>`(select r.metadata from ${messages} r where r.id = ${messages.replyToId})`,
      lastCustomerAt: sql<string | null>`(select max(u.created_at) from ${messages} u where u.conversation_id = ${messages.conversationId} and u.role = 'user')`,
    })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(channels, and(eq(channels.id, conversations.channelId), eq(channels.organizationId, messages.organizationId)))
    .where(eq(messages.id, messageId))
    .limit(1);
  if (!row) return null;
  return { ...row, lastCustomerAt: row.lastCustomerAt ? new Date(row.lastCustomerAt) : null };
}

function recipientOf(context: DeliveryContext): Recipient {
  const replied = context.repliedMetadata ?? {};
  const quote = replied.group === true && typeof replied.telegramMessageId === 'number' ? replied.telegramMessageId : undefined;
  return {
    externalId: context.contactExternalId,
    replyToPlatformMessageId: context.message.role === 'assistant' ? quote : undefined,
    outsideStandardWindow: context.lastCustomerAt ? Date.now() - context.lastCustomerAt.getTime() > DAY_MS : false,
    replyContext: context.message.role === 'assistant' ? replied : undefined,
  };
}

async function announce(services: Services, row: MessageRow | undefined) {
  if (!row) return;
  await publishEvent(services, row.organizationId, 'message.updated', messageEventData(row));
  if (row.deliveryStatus === 'failed') await publishMessageFailed(services, row);
}

async function markFailed(services: Services, context: DeliveryContext, reason: string, credentialsRejected = false): Promise<DeliveryOutcome> {
  const [row] = await services.db
    .update(messages)
    .set({ deliveryStatus: 'failed', error: reason })
    .where(and(eq(messages.id, context.message.id), stillPending))
    .returning();
  if (context.integration) await noteChannelError(services, context.integration.id, reason, credentialsRejected);
  await announce(services, row);
  return { outcome: 'failed', reason };
}

function retryDelay(services: Services, attempt: number, failure: PlatformFailure) {
  const { CHANNEL_RETRY_BASE_SECONDS: base, CHANNEL_RETRY_MAX_SECONDS: max } = services.config;
  const backoff = base * 2 ** (attempt - 1);
  return Math.min(max, Math.max(backoff, failure.retryAfterSeconds ?? 0));
}

async function scheduleRetry(services: Services, context: DeliveryContext, attempt: number, failure: PlatformFailure): Promise<DeliveryOutcome> {
  const delaySeconds = retryDelay(services, attempt, failure);
  const max = services.config.CHANNEL_SEND_MAX_ATTEMPTS;
  await services.db
    .update(messages)
    .set({ error: `Attempt ${attempt} of ${max} failed, retrying in ${Math.ceil(delaySeconds)} s: ${failure.reason}` })
    .where(eq(messages.id, context.message.id));
  await services.queue.enqueue(
    SEND_JOB,
    { messageId: context.message.id, attempt: attempt + 1 },
    { delaySeconds, deduplicationId: `${SEND_JOB}:${context.message.id}:${attempt + 1}` },
  );
  return { outcome: 'retrying', attempt, delaySeconds, reason: failure.reason };
}

async function credentialsOf(services: Services, integration: IntegrationRow): Promise<AnyCredentials | null> {
  if (!integration.credentialsEncrypted) return null;
  try {
    return await openCredentials(integration.platform, integration.credentialsEncrypted, services.config.ENCRYPTION_KEY);
  } catch (error) {
    // A changed ENCRYPTION_KEY will not fix itself by retrying.
    console.error(JSON.stringify({ level: 'error', message: 'channel credentials unreadable', integration: integration.id, error: errorMessage(error) }));
    return null;
  }
}

/** The buttons a stored message carries (the bot's offer of a person), for its last part. */
function buttonsOf(message: MessageRow): ReplyButtons | undefined {
  const replies = message.metadata.quickReplies;
  if (!Array.isArray(replies) || replies.length === 0) return undefined;
  const language = message.metadata.language === 'en' ? 'en' : 'es';
  // A flow's choices, where buttons cannot be drawn, become a numbered list (the flow takes "2").
  if (message.metadata.flow) {
    const numbered = (replies as QuickReply[]).map((reply, i) => `${i + 1}. ${reply.label}`).join('\n');
    return { replies: replies as QuickReply[], fallbackText: numbered, listButton: FLOW_LIST_BUTTON[language] };
  }
  return { replies: replies as QuickReply[], fallbackText: HANDOFF_OFFER_HINT[language] };
}

const FLOW_LIST_BUTTON = { es: 'Ver opciones', en: 'See options' };

/** What goes out as separate platform messages: a flow turn's messages one by one, each split at the platform's limit. */
function textParts(message: MessageRow, limit: TextLimit): string[] {
  const flowParts = message.metadata.flowParts;
  const pieces = Array.isArray(flowParts) && flowParts.length > 0 ? (flowParts as string[]) : [message.content];
  return pieces.flatMap((piece) => splitText(piece, limit));
}

/**
 * The texts to send: on chat platforms the parts (files go as messages of their own); where one
 * message carries everything (email: the adapter's sendText attaches the files) the text unsplit,
 * even empty when there are files.
 */
function outgoingTexts(adapter: PlatformAdapter<AnyCredentials>, message: MessageRow, withFiles: boolean): string[] {
  if (adapter.sendFile) return textParts(message, adapter.textLimit);
  return message.content.trim() !== '' || withFiles ? [message.content] : [];
}

/** Records parts already accepted by the platform, so a retry continues after them. */
async function saveProgress(services: Services, message: MessageRow, platformMessageIds: string[]) {
  await services.db
    .update(messages)
    .set({ metadata: sql`${messages.metadata} || ${JSON.stringify({ platformMessageIds })}::jsonb` })
    .where(eq(messages.id, message.id));
}

/**
 * Sends one stored bot or agent message to its conversation's platform. Idempotent: a message that
 * is no longer pending (sent, delivered, read or failed) is left alone.
 */
export async function deliverMessage(services: Services, messageId: string, attempt = 1): Promise<DeliveryOutcome> {
  const context = await loadDelivery(services, messageId);
  if (!context) return { outcome: 'skipped', reason: 'message not found' };
  const { message, integration } = context;
  if (message.role !== 'assistant' && message.role !== 'agent') return { outcome: 'skipped', reason: `a ${message.role} message is not sent` };
  if (!CHANNEL_PLATFORMS.has(message.channel)) return { outcome: 'skipped', reason: `${message.channel} is not a messaging channel` };
  if (message.deliveryStatus && DONE.has(message.deliveryStatus)) return { outcome: 'skipped', reason: `already ${message.deliveryStatus}` };
  if (!integration) return markFailed(services, context, 'The channel this conversation came from has been removed.');
  // A channel in error is still tried: the platform names the problem (or it has been fixed).
  if (integration.status === 'disconnected') return markFailed(services, context, 'The channel is disconnected; connect it again and resend.');
  const credentials = await credentialsOf(services, integration);
  if (!credentials) return markFailed(services, context, 'The channel\u2019s credentials cannot be read; connect it again.', true);

  if (message.contentType === 'template') return deliverTemplate(services, context, credentials, attempt);
  const adapter = platformAdapter(integration.platform);
  const send: SendContext = { services, integration, message };
  const withFiles = attachmentsToSend(message).length > 0;
  const parts = outgoingTexts(adapter, message, withFiles);
  if (parts.length === 0 && !withFiles) return markFailed(services, context, 'The message is empty.');
  const sent = Array.isArray(message.metadata.platformMessageIds) ? [...(message.metadata.platformMessageIds as string[])] : [];
  const recipient = recipientOf(context);
  // Files first (media-send.ts records each one sent), then the text.
  const sendFile = adapter.sendFile;
  const files = withFiles && sendFile ? await sendMessageAttachments(services, message, (attachment, file) => sendFile(send, credentials, recipient, attachment, file)) : null;
  if (files && !files.ok) {
    if (files.transient && attempt < services.config.CHANNEL_SEND_MAX_ATTEMPTS) return scheduleRetry(services, context, attempt, files);
    return markFailed(services, context, files.transient ? `Gave up after ${attempt} attempts: ${files.reason}` : files.reason, files.credentialsRejected);
  }
  const buttons = buttonsOf(message);
  for (let index = sent.length; index < parts.length; index++) {
    const to = index === 0 ? recipient : { ...recipient, replyToPlatformMessageId: undefined };
    const lastButtons = index === parts.length - 1 ? buttons : undefined;
    const result = await adapter.sendText(send, credentials, to, parts[index], message.role, lastButtons);
    if (!result.ok) {
      if (sent.length > 0) await saveProgress(services, message, sent);
      if (result.transient && attempt < services.config.CHANNEL_SEND_MAX_ATTEMPTS) return scheduleRetry(services, context, attempt, result);
      const reason = result.transient ? `Gave up after ${attempt} attempts: ${result.reason}` : result.reason;
      return markFailed(services, context, reason, result.credentialsRejected);
    }
    sent.push(result.externalId);
    if (index < parts.length - 1) await saveProgress(services, message, sent);
  }
  // Receipts come by the first platform id: the first file's when there are files.
  const firstId = (files?.ok ? files.externalIds[0] : undefined) ?? sent[0];
  const [row] = await services.db
    .update(messages)
    .set({
      externalId: firstId,
      deliveryStatus: 'sent',
      error: null,
      metadata: sql`${messages.metadata} || ${JSON.stringify({ platformMessageIds: sent, parts: parts.length })}::jsonb`,
    })
    .where(and(eq(messages.id, message.id), stillPending))
    .returning();
  await announce(services, row);
  return { outcome: 'sent', parts: parts.length, externalId: firstId };
}

/** A WhatsApp template goes out whole, as stored in `metadata.template` (conversation-templates.ts). */
async function deliverTemplate(services: Services, context: DeliveryContext, credentials: AnyCredentials, attempt: number): Promise<DeliveryOutcome> {
  const template = context.message.metadata.template as TemplatePayload | undefined;
  if (context.integration?.platform !== 'whatsapp' || !template) return markFailed(services, context, 'Templates can only be sent on WhatsApp.');
  const result = await sendWhatsAppTemplate(services.config, credentials as WhatsAppCredentials, context.contactExternalId, template);
  if (!result.ok) {
    if (result.transient && attempt < services.config.CHANNEL_SEND_MAX_ATTEMPTS) return scheduleRetry(services, context, attempt, result);
    return markFailed(services, context, result.transient ? `Gave up after ${attempt} attempts: ${result.reason}` : result.reason, result.credentialsRejected);
  }
  const [row] = await services.db
    .update(messages)
    .set({ externalId: result.externalId, deliveryStatus: 'sent', error: null })
    .where(and(eq(messages.id, context.message.id), stillPending))
    .returning();
  await announce(services, row);
  return { outcome: 'sent', parts: 1, externalId: result.externalId };
}

const GREETING = {
  es: '¡Hola! ¿En qué puedo ayudarte?',
  en: 'Hi! How can I help you?',
};

/** Telegram's `/start` is the customer opening the chat: the bot's welcome, not a knowledge search. */
async function welcome(services: Services, bot: BotRuntime, userMessage: MessageRow): Promise<MessageRow> {
  const [existing] = await services.db
    .select()
    .from(messages)
    .where(and(eq(messages.replyToId, userMessage.id), eq(messages.role, 'assistant')))
    .limit(1);
  if (existing) return existing;
  const row = await storeReply(services.db, {
    organizationId: userMessage.organizationId,
    conversationId: userMessage.conversationId,
    replyToId: userMessage.id,
    role: 'assistant',
    content: bot.welcomeMessage || GREETING[bot.language === 'en' ? 'en' : 'es'],
    channel: userMessage.channel,
    deliveryStatus: 'pending',
  });
  await publishMessageCreated(services, row);
  return row;
}

/**
 * The reply job for a stored customer message: the chat engine answers it (business hours,
 * handoff and the knowledge base apply as on the widget; nobody answers while a person has the
 * conversation), then the answer goes out like any other message. Idempotent end to end: the
 * engine returns the stored answer on a rerun, and a sent answer is not sent again.
 */
export async function replyOnChannel(services: Services, messageId: string): Promise<DeliveryOutcome> {
  const [row] = await services.db
    .select({ message: messages, botId: conversations.botId, handoff: conversations.handoff, integration: channels, recipient: recipientExternalId })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(channels, eq(channels.id, conversations.channelId))
    .where(and(eq(messages.id, messageId), eq(messages.role, 'user')))
    .limit(1);
  if (!row) return { outcome: 'skipped', reason: 'message not found' };
  if (!row.integration || row.integration.status === 'disconnected') return { outcome: 'skipped', reason: 'the channel is not connected' };
  const bot = await loadBotRuntime(services, row.botId);
  if (!bot || bot.status !== 'active') return { outcome: 'skipped', reason: 'the bot is not active' };

  const metadata = row.message.metadata;
  if (row.integration.platform === 'telegram' && typeof metadata.callbackQueryId === 'string') {
    await acknowledgeButton(services, row.integration, metadata.callbackQueryId);
  }
  const signals = row.handoff === 'human' ? null : await startSignals(services, row.integration, row.recipient, row.message);
  const reply =
    metadata.command === 'start' && row.handoff !== 'human'
      ? await welcome(services, bot, row.message)
      : await replyToStoredMessage(services, bot, messageId);
  // Settled long before: awaited only so the edge does not cut it off when the job returns.
  await signals;
  if (!reply) return { outcome: 'skipped', reason: 'a person has the conversation' };
  return deliverMessage(services, reply.id);
}

/** "Seen" and "typing…" while the bot works on the answer (signals.ts); null when they cannot be sent. */
async function startSignals(services: Services, integration: IntegrationRow, recipient: string, message: MessageRow) {
  const credentials = await credentialsOf(services, integration);
  return credentials ? signalAnswering(services.config, integration.platform as Platform, credentials, recipient, message) : null;
}

/** Best effort: a button left spinning is cosmetic, never a reason to hold the answer back. */
async function acknowledgeButton(services: Services, integration: IntegrationRow, callbackQueryId: string) {
  const credentials = (await credentialsOf(services, integration)) as TelegramCredentials | null;
  if (credentials) await answerCallbackQuery(services.config, credentials, callbackQueryId);
}
