import type { Config } from '../../lib/config';
import type { TelegramCredentials } from './credentials';
import { callPlatform, clip, isFailure, retryAfterSeconds, type PlatformResponse } from './http';
import type { TextLimit } from './split';
import { emptyParse, type InboundContact, type InboundMessage, type ParsedWebhook, type PlatformFailure, type PlatformResult, type Recipient, type ReplyButtons } from './types';

/**
 * Telegram Bot API: one `Update` per webhook call (`message`, `edited_message`,
 * `callback_query`), authenticated by the secret token we gave `setWebhook`; we answer with
 * `sendMessage`. A message id is unique only inside its chat, and two of an organization's bots
 * can share a chat id (a person's private chats with both), so our ids are `bot:chat:message`.
 */
export const TELEGRAM_TEXT_LIMIT: TextLimit = { max: 4096, unit: 'chars' };
export const TELEGRAM_UPDATES = ['message', 'edited_message', 'callback_query', 'message_reaction'] as const;

export type GroupMode = 'ignore' | 'mentions' | 'all';

export interface TelegramContext {
  /** The bot's numeric id (the token's prefix). */
  botId: string;
  /** Without the @; null until connect has read it with getMe. */
  username: string | null;
  groups: GroupMode;
}

export const telegramBotId = (botToken: string) => botToken.split(':')[0];
export const telegramMessageKey = (botId: string, chatId: string | number, messageId: string | number) => `${botId}:${chatId}:${messageId}`;

const isGroup = (chat: any) => chat?.type === 'group' || chat?.type === 'supergroup';

function contactOf(chat: any, from: any): InboundContact {
  if (isGroup(chat)) return { externalId: String(chat.id), name: chat.title ?? null, attributes: { chatType: chat.type } };
  const name = [from?.first_name ?? chat?.first_name, from?.last_name ?? chat?.last_name].filter(Boolean).join(' ');
  return {
    externalId: String(chat.id),
    name: name || null,
    attributes: { ...(from?.username ? { username: from.username } : {}), ...(from?.language_code ? { languageCode: from.language_code } : {}) },
  };
}

function entitiesOf(m: any): Array<{ type: string; offset: number; length: number; user?: { id: number } }> {
  return Array.isArray(m.entities) ? m.entities : Array.isArray(m.caption_entities) ? m.caption_entities : [];
}

/** In a group, is this message for our bot: a mention, a command (bare or @ours), or a reply to it? */
function addressedToBot(m: any, ctx: TelegramContext): boolean {
  const text: string = m.text ?? m.caption ?? '';
  const handle = ctx.username ? `@${ctx.username.toLowerCase()}` : null;
  if (String(m.reply_to_message?.from?.id ?? '') === ctx.botId) return true;
  return entitiesOf(m).some((e) => {
    const piece = text.slice(e.offset, e.offset + e.length).toLowerCase();
    if (e.type === 'mention') return handle !== null && piece === handle;
    if (e.type === 'text_mention') return String(e.user?.id ?? '') === ctx.botId;
    if (e.type === 'bot_command') return !piece.includes('@') || (handle !== null && piece.endsWith(handle));
    return false;
  });
}

type Body = Pick<InboundMessage, 'contentType' | 'content' | 'metadata' | 'answer'>;

function media(kind: string, file: any, caption: string | undefined, extra: Record<string, unknown> = {}): Body {
  return {
    contentType: kind,
    content: caption || (file?.file_name ? `[${kind}: ${file.file_name}]` : `[${kind}]`),
    metadata: { media: { fileId: file?.file_id, fileUniqueId: file?.file_unique_id, mimeType: file?.mime_type, fileName: file?.file_name, ...extra } },
    answer: true,
  };
}

function messageBody(m: any, ctx: TelegramContext): Body | null {
  const caption: string | undefined = m.caption;
  if (typeof m.text === 'string') {
    const command = entitiesOf(m).find((e) => e.type === 'bot_command' && e.offset === 0);
    if (command) {
      const [name, target] = m.text.slice(1, command.length).split('@');
      // `/start@otherbot` in a group is somebody else's command.
      if (target && ctx.username && target.toLowerCase() !== ctx.username.toLowerCase()) return null;
      return { contentType: 'command', content: m.text, metadata: { command: name, args: m.text.slice(command.length).trim() }, answer: true };
    }
    return { contentType: 'text', content: m.text, metadata: {}, answer: true };
  }
  if (Array.isArray(m.photo) && m.photo.length > 0) {
    const largest = m.photo[m.photo.length - 1];
    return media('image', largest, caption, { width: largest.width, height: largest.height });
  }
  if (m.voice) return media('audio', m.voice, caption, { voice: true, duration: m.voice.duration });
  if (m.audio) return media('audio', m.audio, caption, { duration: m.audio.duration, title: m.audio.title, performer: m.audio.performer });
  if (m.video) return media('video', m.video, caption, { duration: m.video.duration });
  if (m.video_note) return media('video', m.video_note, caption, { round: true, duration: m.video_note.duration });
  if (m.animation) return media('video', m.animation, caption, { animated: true });
  if (m.document) return media('document', m.document, caption);
  if (m.sticker) return { ...media('sticker', m.sticker, m.sticker.emoji, { emoji: m.sticker.emoji, setName: m.sticker.set_name }), answer: false };
  if (m.venue) {
    const { location, title, address } = m.venue;
    return { contentType: 'location', content: `[location] ${title}, ${address} (${location?.latitude}, ${location?.longitude})`, metadata: { location: { latitude: location?.latitude, longitude: location?.longitude, name: title, address } }, answer: true };
  }
  if (m.location) {
    return { contentType: 'location', content: `[location] (${m.location.latitude}, ${m.location.longitude})`, metadata: { location: { latitude: m.location.latitude, longitude: m.location.longitude } }, answer: true };
  }
  if (m.contact) {
    const name = [m.contact.first_name, m.contact.last_name].filter(Boolean).join(' ');
    return { contentType: 'contacts', content: `[contacts] ${name} ${m.contact.phone_number ?? ''}`.trim(), metadata: { contacts: [{ name, phone: m.contact.phone_number, userId: m.contact.user_id }] }, answer: true };
  }
  if (m.poll || m.dice || m.game || m.story) {
    const kind = m.poll ? 'poll' : m.dice ? 'dice' : m.game ? 'game' : 'story';
    return { contentType: 'unsupported', content: `[unsupported: ${kind}]`, metadata: { rawType: kind }, answer: false };
  }
  // Service messages (members joining, titles changing, pins…) are not conversation.
  return null;
}

function groupAllows(m: any, ctx: TelegramContext) {
  if (!isGroup(m.chat)) return true;
  if (ctx.groups === 'ignore') return false;
  return ctx.groups === 'all' || addressedToBot(m, ctx);
}

function parseMessage(m: any, ctx: TelegramContext, parsed: ParsedWebhook) {
  if (!m?.chat || m.message_id === undefined || m.from?.is_bot || m.chat.type === 'channel' || !groupAllows(m, ctx)) {
    parsed.ignored += 1;
    return;
  }
  const body = messageBody(m, ctx);
  if (!body) {
    parsed.ignored += 1;
    return;
  }
  const group = isGroup(m.chat);
  parsed.messages.push({
    externalId: telegramMessageKey(ctx.botId, m.chat.id, m.message_id),
    contact: contactOf(m.chat, m.from),
    ...body,
    metadata: {
      ...body.metadata,
      telegramMessageId: m.message_id,
      date: m.date,
      ...(group ? { group: true, from: { id: m.from?.id, name: [m.from?.first_name, m.from?.last_name].filter(Boolean).join(' '), username: m.from?.username } } : {}),
      ...(m.reply_to_message ? { replyTo: m.reply_to_message.message_id } : {}),
    },
  });
}

function parseEdit(m: any, ctx: TelegramContext, parsed: ParsedWebhook) {
  if (!m?.chat || m.message_id === undefined || m.from?.is_bot || !groupAllows(m, ctx)) {
    parsed.ignored += 1;
    return;
  }
  parsed.edits.push({
    externalId: telegramMessageKey(ctx.botId, m.chat.id, m.message_id),
    contact: contactOf(m.chat, m.from),
    content: String(m.text ?? m.caption ?? ''),
    editedAt: new Date((m.edit_date ?? m.date ?? Date.now() / 1000) * 1000).toISOString(),
    metadata: { editDate: m.edit_date },
  });
}

/** A tapped inline button: its label (from the keyboard we sent) is what the customer "said". */
function parseCallback(query: any, ctx: TelegramContext, parsed: ParsedWebhook) {
  const chat = query?.message?.chat;
  if (!query?.id || !chat) {
    parsed.ignored += 1;
    return;
  }
  const buttons: any[] = (query.message.reply_markup?.inline_keyboard ?? []).flat();
  const label = buttons.find((b) => b?.callback_data === query.data)?.text;
  parsed.messages.push({
    externalId: `${ctx.botId}:cbq:${query.id}`,
    contact: contactOf(chat, query.from),
    contentType: 'interactive',
    content: String(label ?? query.data ?? '[button]'),
    metadata: {
      callbackQueryId: String(query.id),
      data: query.data,
      messageId: query.message.message_id,
      ...(isGroup(chat) ? { group: true, telegramMessageId: query.message.message_id, from: { id: query.from?.id, username: query.from?.username } } : {}),
    },
    answer: true,
  });
}

/**
 * `message_reaction` (a person's reactions on a message changed): their newest emoji, or a
 * removal when none is left. Custom and paid reactions have no emoji to show and count as none.
 */
function parseReaction(update: any, ctx: TelegramContext, parsed: ParsedWebhook) {
  const chat = update?.chat;
  if (!chat || update.message_id === undefined || !update.user || update.user.is_bot || (isGroup(chat) && ctx.groups === 'ignore')) {
    parsed.ignored += 1;
    return;
  }
  const emojis = (Array.isArray(update.new_reaction) ? update.new_reaction : []).filter((r: any) => r?.type === 'emoji' && typeof r.emoji === 'string');
  const emoji: string | null = emojis.length > 0 ? emojis[emojis.length - 1].emoji : null;
  parsed.messages.push({
    externalId: `${ctx.botId}:reaction:${chat.id}:${update.message_id}:${update.user.id}:${update.date ?? ''}`,
    contact: contactOf(chat, update.user),
    contentType: 'reaction',
    content: emoji ?? '(reaction removed)',
    metadata: { reaction: { targetExternalId: telegramMessageKey(ctx.botId, chat.id, update.message_id), emoji, from: String(update.user.id) } },
    answer: false,
  });
}

export function parseTelegram(update: any, ctx: TelegramContext): ParsedWebhook {
  const parsed = emptyParse();
  if (typeof update?.update_id !== 'number') parsed.ignored += 1;
  else if (update.message) parseMessage(update.message, ctx, parsed);
  else if (update.edited_message) parseEdit(update.edited_message, ctx, parsed);
  else if (update.callback_query) parseCallback(update.callback_query, ctx, parsed);
  else if (update.message_reaction) parseReaction(update.message_reaction, ctx, parsed);
  else parsed.ignored += 1;
  return parsed;
}

export function telegramFailure(response: PlatformResponse): PlatformFailure {
  const body = response.json ?? {};
  const code = Number(body.error_code ?? response.status);
  const description = clip(String(body.description ?? `HTTP ${response.status}`));
  if (code === 429 || response.status >= 500) {
    return { ok: false, transient: true, reason: description, retryAfterSeconds: body.parameters?.retry_after ?? retryAfterSeconds(response.headers.get('retry-after')), status: response.status };
  }
  if (body.parameters?.migrate_to_chat_id) {
    return { ok: false, transient: false, reason: `The group became a supergroup (new chat id ${body.parameters.migrate_to_chat_id}); the customer has to write again. ${description}`, status: response.status };
  }
  // An unknown or revoked token answers 401 (and 404 for a malformed one).
  const credentialsRejected = code === 401 || code === 404;
  return { ok: false, transient: false, reason: credentialsRejected ? `Telegram refused the bot token: ${description}` : description, credentialsRejected, status: response.status };
}

export async function telegramCall<T>(config: Config, botToken: string, method: string, body?: Record<string, unknown>): Promise<PlatformResult<{ result: T }>> {
  const response = await callPlatform(`${config.TELEGRAM_API_URL}/bot${botToken}/${method}`, { body: body ?? {}, timeoutMs: config.CHANNEL_API_TIMEOUT_MS });
  if (isFailure(response)) return response;
  if (response.status !== 200 || response.json?.ok !== true) return telegramFailure(response);
  return { ok: true, result: response.json.result as T };
}

export async function sendTelegramText(
  config: Config,
  credentials: TelegramCredentials,
  recipient: Recipient,
  text: string,
  buttons?: ReplyButtons,
): Promise<PlatformResult<{ externalId: string }>> {
  const result = await telegramCall<{ message_id?: number }>(config, credentials.botToken, 'sendMessage', {
    chat_id: recipient.externalId,
    text,
    link_preview_options: { is_disabled: true },
    // A tap arrives as a callback_query whose `data` is the button's id.
    ...(buttons && buttons.replies.length > 0
      ? { reply_markup: { inline_keyboard: keyboardRows(buttons.replies.map((reply) => ({ text: reply.label, callback_data: reply.id.slice(0, 64) }))) } }
      : {}),
    ...(recipient.replyToPlatformMessageId ? { reply_parameters: { message_id: recipient.replyToPlatformMessageId, allow_sending_without_reply: true } } : {}),
  });
  if (!result.ok) return result;
  if (result.result?.message_id === undefined) return { ok: false, transient: false, reason: 'Telegram accepted the message but returned no message id' };
  return { ok: true, externalId: telegramMessageKey(telegramBotId(credentials.botToken), recipient.externalId, result.result.message_id) };
}

/** Connect: getMe proves the token, then setWebhook points Telegram at us with a fresh secret token. */
export async function connectTelegram(
  config: Config,
  credentials: TelegramCredentials,
  webhookUrl: string,
): Promise<PlatformResult<{ account: { id: string; name: string | null; handle: string | null } }>> {
  const me = await telegramCall<{ id: number; username?: string; first_name?: string }>(config, credentials.botToken, 'getMe');
  if (!me.ok) return me;
  const hooked = await telegramCall<boolean>(config, credentials.botToken, 'setWebhook', {
    url: webhookUrl,
    secret_token: credentials.webhookSecret,
    allowed_updates: TELEGRAM_UPDATES,
  });
  if (!hooked.ok) return hooked;
  return { ok: true, account: { id: String(me.result.id), name: me.result.first_name ?? null, handle: me.result.username ? `@${me.result.username}` : null } };
}

export function disconnectTelegram(config: Config, credentials: TelegramCredentials) {
  return telegramCall<boolean>(config, credentials.botToken, 'deleteWebhook', { drop_pending_updates: false });
}

export interface TelegramWebhookInfo {
  url: string;
  pending_update_count: number;
  last_error_date?: number;
  last_error_message?: string;
}

export function telegramWebhookInfo(config: Config, credentials: TelegramCredentials) {
  return telegramCall<TelegramWebhookInfo>(config, credentials.botToken, 'getWebhookInfo');
}

/** Stops the spinner on a tapped inline button; Telegram shows it until this is called. */
export function answerCallbackQuery(config: Config, credentials: TelegramCredentials, callbackQueryId: string) {
  return telegramCall<boolean>(config, credentials.botToken, 'answerCallbackQuery', { callback_query_id: callbackQueryId });
}

/** Up to three buttons share a row; longer choices (a flow's list) get one row each. */
function keyboardRows<T>(buttons: T[]): T[][] {
  return buttons.length <= 3 ? [buttons] : buttons.map((b) => [b]);
}
