import type { Config } from '../../lib/config';
import { fromHex } from '../../lib/crypto';
import type { DiscordCredentials } from './credentials';
import { callPlatform, clip, isFailure, retryAfterSeconds, type PlatformResponse } from './http';
import { postMultipart, uploadFailed, uploadTimeout, type Sendable } from './media-send';
import type { TextLimit } from './split';
import { emptyParse, type InboundMessage, type ParsedWebhook, type PlatformFailure, type PlatformResult, type Recipient, type ReplyButtons } from './types';

/**
 * Discord, plain wire format (no SDK). Two ways in:
 * - the Interactions endpoint (our webhook URL): each request signed with Ed25519 by the
 *   application's key (`X-Signature-Ed25519` over `X-Signature-Timestamp` + body), PING answered
 *   PONG, the `/ask` slash command answered "thinking…" (a deferred response) and then by a
 *   follow-up on the interaction's webhook once the reply job has the answer;
 * - the Gateway (discord-gateway.ts), for ordinary messages in the chosen channels and DMs.
 * Replies outside an interaction go through REST `POST /channels/{id}/messages`.
 * One conversation per Discord channel (a DM is a channel), so the contact is the channel id.
 */
export const DISCORD_TEXT_LIMIT: TextLimit = { max: 2000, unit: 'chars' };
export const DISCORD_API_VERSION = 'v10';
/** An interaction's token answers for 15 minutes; later replies go to the channel. */
const INTERACTION_TOKEN_MS = 14 * 60 * 1000;
/** GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT (privileged: enabled on the bot's page). */
export const DISCORD_INTENTS = (1 << 9) | (1 << 12) | (1 << 15);
export const ASK_COMMAND = {
  name: 'ask',
  description: 'Ask the assistant a question',
  description_localizations: { 'es-ES': 'Haz una pregunta al asistente', 'es-419': 'Haz una pregunta al asistente' },
  type: 1,
  options: [{ type: 3, name: 'question', description: 'Your question', description_localizations: { 'es-ES': 'Tu pregunta', 'es-419': 'Tu pregunta' }, required: true }],
  contexts: [0, 1],
};

/** Channel ids to answer in, and whether DMs are answered; what admins choose on the channel. */
export interface DiscordSettings {
  channels: string[];
  dms: boolean;
}

export async function verifyDiscordSignature(publicKeyHex: string, rawBody: Uint8Array, signatureHex: string | undefined, timestamp: string | undefined): Promise<boolean> {
  const key = fromHex(publicKeyHex, 32);
  const signature = signatureHex ? fromHex(signatureHex, 64) : null;
  if (!key || !signature || !timestamp) return false;
  try {
    const publicKey = await crypto.subtle.importKey('raw', key as BufferSource, { name: 'Ed25519' }, false, ['verify']);
    const message = new Uint8Array([...new TextEncoder().encode(timestamp), ...rawBody]);
    return await crypto.subtle.verify({ name: 'Ed25519' }, publicKey, signature as BufferSource, message);
  } catch {
    return false;
  }
}

const INTERACTION_PING = 1;
const INTERACTION_COMMAND = 2;

/** PING is answered PONG and stored nowhere; a command is stored and answered "thinking…" (deferred). */
export function discordHandshake(body: any): { reply: unknown; store: boolean } | null {
  if (body?.type === INTERACTION_PING) return { reply: { type: 1 }, store: false };
  if (body?.type === INTERACTION_COMMAND) return { reply: { type: 5 }, store: true };
  // Anything else (buttons, autocomplete) is not ours yet: say so rather than time out.
  if (typeof body?.type === 'number' && typeof body?.token === 'string') {
    return { reply: { type: 4, data: { content: 'This action is not supported.', flags: 64 } }, store: false };
  }
  return null;
}

function userOf(interaction: any) {
  return interaction.member?.user ?? interaction.user ?? null;
}

const displayName = (user: any): string | null => user?.global_name ?? user?.username ?? null;

function optionText(options: any[] | undefined): string {
  if (!Array.isArray(options)) return '';
  return options
    .map((o) => (Array.isArray(o.options) ? optionText(o.options) : o.value !== undefined ? String(o.value) : ''))
    .filter(Boolean)
    .join(' ');
}

function parseInteraction(body: any, parsed: ParsedWebhook) {
  const user = userOf(body);
  if (!body.id || !body.channel_id || !user?.id || user.bot) return void (parsed.ignored += 1);
  const question = optionText(body.data?.options);
  parsed.messages.push({
    externalId: `interaction:${body.id}`,
    contact: contactOf(body.channel_id, !body.guild_id, user),
    contentType: 'command',
    content: question || `/${body.data?.name ?? 'command'}`,
    metadata: {
      command: body.data?.name ?? null,
      args: question,
      discordInteraction: { token: body.token, applicationId: body.application_id, at: Date.now() },
      discordUser: { id: user.id, name: displayName(user) },
      ...(body.guild_id ? { guildId: body.guild_id } : {}),
    },
    answer: true,
  });
}

function contactOf(channelId: string, dm: boolean, user: any): InboundMessage['contact'] {
  return { externalId: String(channelId), name: dm ? displayName(user) : null, attributes: { ...(dm ? { discordUserId: user?.id } : { discordChannel: channelId }) } };
}

export function parseDiscordInteraction(body: any): ParsedWebhook {
  const parsed = emptyParse();
  if (body?.type === INTERACTION_COMMAND) parseInteraction(body, parsed);
  else parsed.ignored += 1;
  return parsed;
}

export const attachmentKindOf = (mime: string | null): 'image' | 'audio' | 'video' | 'document' =>
  mime?.startsWith('image/') ? 'image' : mime?.startsWith('audio/') ? 'audio' : mime?.startsWith('video/') ? 'video' : 'document';

/** A Gateway MESSAGE_CREATE: a person's message in a chosen channel or (when allowed) a DM. */
export function parseDiscordMessage(message: any, settings: DiscordSettings, botUserId: string | null): ParsedWebhook {
  const parsed = emptyParse();
  const author = message?.author;
  const dm = !message?.guild_id;
  // Type 0 is an ordinary message, 19 a reply; joins, pins and the rest are not conversation.
  const ordinary = message?.type === 0 || message?.type === 19 || message?.type === undefined;
  const allowed = dm ? settings.dms : settings.channels.includes(String(message?.channel_id));
  if (!message?.id || !message.channel_id || !author?.id || author.bot || author.id === botUserId || !ordinary || !allowed) {
    parsed.ignored += 1;
    return parsed;
  }
  const files: any[] = Array.isArray(message.attachments) ? message.attachments : [];
  const text = String(message.content ?? '').replace(/<@!?\d+>/g, '').trim();
  if (!text && files.length === 0) return { ...parsed, ignored: 1 };
  parsed.messages.push({
    externalId: `message:${message.id}`,
    contact: contactOf(message.channel_id, dm, author),
    contentType: text || files.length === 0 ? 'text' : attachmentKindOf(files[0].content_type ?? null),
    content: text || files.map((f) => `[${attachmentKindOf(f.content_type ?? null)}: ${f.filename ?? f.id}]`).join(' '),
    metadata: {
      discordMessageId: message.id,
      discordUser: { id: author.id, name: displayName(author) },
      ...(message.guild_id ? { guildId: message.guild_id } : {}),
      ...(files.length > 0
        ? {
            discordFiles: files.map((f) => ({ id: f.id, name: f.filename ?? null, mimeType: f.content_type ?? null, size: f.size ?? null, url: f.url ?? null })),
            attachments: files.map((f) => ({ kind: attachmentKindOf(f.content_type ?? null), status: 'pending', mimeType: f.content_type ?? null, size: f.size ?? null, filename: f.filename ?? null, blobKey: null })),
          }
        : {}),
    },
    answer: true,
  });
  return parsed;
}

function discordFailure(response: PlatformResponse): PlatformFailure {
  const body = response.json ?? {};
  const reason = clip(`Discord: ${body.message ?? `HTTP ${response.status}`}${body.code ? ` (code ${body.code})` : ''}`);
  if (response.status === 429 || response.status >= 500) {
    const retryAfter = typeof body.retry_after === 'number' ? body.retry_after : retryAfterSeconds(response.headers.get('retry-after'));
    return { ok: false, transient: true, reason, retryAfterSeconds: retryAfter, status: response.status };
  }
  return { ok: false, transient: false, reason, credentialsRejected: response.status === 401, status: response.status };
}

export async function discordCall<T>(
  config: Config,
  path: string,
  init: { method?: 'GET' | 'POST' | 'DELETE'; botToken?: string; body?: unknown },
): Promise<PlatformResult<{ result: T }>> {
  const response = await callPlatform(`${config.DISCORD_API_URL}/api/${DISCORD_API_VERSION}${path}`, {
    method: init.method,
    body: init.body,
    headers: init.botToken ? { Authorization: `Bot ${init.botToken}` } : {},
    timeoutMs: config.CHANNEL_API_TIMEOUT_MS,
  });
  if (isFailure(response)) return response;
  if (response.status < 200 || response.status >= 300) return discordFailure(response);
  return { ok: true, result: response.json as T };
}

/** The interaction a reply answers, while its token still works. */
function liveInteraction(recipient: Recipient): { token: string; applicationId: string } | null {
  const interaction = recipient.replyContext?.discordInteraction as { token?: string; applicationId?: string; at?: number } | undefined;
  if (!interaction?.token || !interaction.applicationId || !interaction.at) return null;
  return Date.now() - interaction.at < INTERACTION_TOKEN_MS ? { token: interaction.token, applicationId: interaction.applicationId } : null;
}

export async function sendDiscordText(
  config: Config,
  credentials: DiscordCredentials,
  recipient: Recipient,
  text: string,
  buttons?: ReplyButtons,
): Promise<PlatformResult<{ externalId: string }>> {
  const content = buttons && buttons.replies.length > 0 ? `${text}\n\n${buttons.fallbackText}` : text;
  const body = { content, allowed_mentions: { parse: [] } };
  const interaction = liveInteraction(recipient);
  const result = interaction
    ? // The follow-up takes the place of the deferred "thinking…" answer.
      await discordCall<{ id?: string }>(config, `/webhooks/${interaction.applicationId}/${interaction.token}`, { body })
    : await discordCall<{ id?: string }>(config, `/channels/${recipient.externalId}/messages`, { botToken: credentials.botToken, body });
  if (!result.ok) return result;
  if (!result.result?.id) return { ok: false, transient: false, reason: 'Discord accepted the message but returned no id' };
  return { ok: true, externalId: `message:${result.result.id}` };
}

/**
 * An agent's file: Create Message as multipart, the message in `payload_json` naming the file
 * (`attachments: [{ id: 0, filename }]`) and the bytes as `files[0]`. Over the upload limit (10 MiB
 * for bots in a server without boosts) Discord answers 413; the inbox refuses such files before
 * they are stored (SEND_LIMITS), so that only happens when a limit changes.
 */
export async function sendDiscordFile(config: Config, credentials: DiscordCredentials, recipient: Recipient, attachment: Sendable, file: Blob): Promise<PlatformResult<{ externalId: string }>> {
  const filename = attachment.filename ?? attachment.kind;
  const form = new FormData();
  form.append('payload_json', JSON.stringify({ attachments: [{ id: 0, filename }], allowed_mentions: { parse: [] } }));
  form.append('files[0]', file, filename);
  const url = `${config.DISCORD_API_URL}/api/${DISCORD_API_VERSION}/channels/${recipient.externalId}/messages`;
  const response = await postMultipart(url, form, { Authorization: `Bot ${credentials.botToken}` }, uploadTimeout(config));
  if (uploadFailed(response)) return response;
  if (response.status < 200 || response.status >= 300) return discordFailure(response);
  return response.json?.id ? { ok: true, externalId: `message:${response.json.id}` } : { ok: false, transient: false, reason: 'Discord accepted the file but returned no id' };
}

/** Connect: the token must be the application's bot; the `/ask` command is (re)registered. */
export async function connectDiscord(config: Config, credentials: DiscordCredentials): Promise<PlatformResult<{ account: { id: string; name: string | null; handle: string | null } }>> {
  const me = await discordCall<{ id: string; username?: string; bot?: boolean }>(config, '/users/@me', { botToken: credentials.botToken });
  if (!me.ok) return me;
  const app = await discordCall<{ id: string; name?: string }>(config, '/applications/@me', { botToken: credentials.botToken });
  if (!app.ok) return app;
  if (app.result.id !== credentials.applicationId) {
    return { ok: false, transient: false, reason: `Discord: the bot token belongs to application ${app.result.id}, not ${credentials.applicationId}` };
  }
  const command = await discordCall<unknown>(config, `/applications/${credentials.applicationId}/commands`, { botToken: credentials.botToken, body: ASK_COMMAND });
  if (!command.ok) return command;
  return { ok: true, account: { id: me.result.id, name: app.result.name ?? null, handle: me.result.username ? `@${me.result.username}` : null } };
}
