import type { Config } from '../../lib/config';
import { hmacSha256Hex, verifyHmacSha256Hex } from '../../lib/crypto';
import { OutboundRefused } from '../../lib/network';
import type { Services } from '../../ports';
import type { SlackCredentials } from './credentials';
import { callPlatform, clip, errorMessage, isFailure, retryAfterSeconds, type PlatformResponse } from './http';
import { uploadTimeout, type Sendable } from './media-send';
import type { TextLimit } from './split';
import { emptyParse, type InboundMessage, type ParsedWebhook, type PlatformFailure, type PlatformResult, type Recipient, type ReplyButtons } from './types';

/**
 * Slack's Events API, plain wire format (no SDK): every request is signed with the app's signing
 * secret (`X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body))`), a new
 * Request URL is proven with a `url_verification` challenge, and a delivery Slack thinks failed
 * comes again with `X-Slack-Retry-Num` (same event, same message `ts`, so the message key dedupes it).
 *
 * Conversations: one per DM channel, and one per thread in public/private channels, so the
 * contact's `externalId` is where the bot answers: `D0123` for a DM, `C0123:<thread_ts>` for a
 * thread (a mention at the top level starts the thread on the mentioning message).
 */
export const SLACK_TEXT_LIMIT: TextLimit = { max: 3900, unit: 'chars' };
/** Slack refuses requests older than this; so do we (replayed captures). */
export const SLACK_MAX_AGE_SECONDS = 5 * 60;

export async function slackSignature(signingSecret: string, timestamp: string, rawBody: string | Uint8Array): Promise<string> {
  const body = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);
  return `v0=${await hmacSha256Hex(signingSecret, `v0:${timestamp}:${body}`)}`;
}

export async function verifySlackSignature(
  signingSecret: string,
  rawBody: Uint8Array,
  timestamp: string | undefined,
  signature: string | undefined,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<boolean> {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature?.startsWith('v0=')) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > SLACK_MAX_AGE_SECONDS) return false;
  const base = new Uint8Array([...new TextEncoder().encode(`v0:${timestamp}:`), ...rawBody]);
  return verifyHmacSha256Hex(signingSecret, base, signature.slice(3));
}

/** The `url_verification` handshake is answered with its challenge and stores nothing. */
export function slackHandshake(body: any): { reply: unknown; store: boolean } | null {
  if (body?.type === 'url_verification' && typeof body.challenge === 'string') return { reply: { challenge: body.challenge }, store: false };
  return null;
}

export const slackThreadKey = (channel: string, threadTs: string) => `${channel}:${threadTs}`;
export const slackMessageKey = (channel: string, ts: string) => `${channel}:${ts}`;

/** A file shared in Slack, as we keep it before the download job stores it (the attachments contract). */
export interface SlackFile {
  id: string;
  name: string | null;
  mimeType: string | null;
  size: number | null;
  url: string | null;
}

export const attachmentKind = (mime: string | null): 'image' | 'audio' | 'video' | 'document' =>
  mime?.startsWith('image/') ? 'image' : mime?.startsWith('audio/') ? 'audio' : mime?.startsWith('video/') ? 'video' : 'document';

function filesOf(event: any): SlackFile[] {
  if (!Array.isArray(event.files)) return [];
  return event.files
    .filter((f: any) => typeof f?.id === 'string')
    .map((f: any) => ({
      id: f.id,
      name: typeof f.name === 'string' ? f.name : null,
      mimeType: typeof f.mimetype === 'string' ? f.mimetype : null,
      size: typeof f.size === 'number' ? f.size : null,
      url: typeof f.url_private_download === 'string' ? f.url_private_download : typeof f.url_private === 'string' ? f.url_private : null,
    }));
}

/** Mentions of the bot read as `<@U0BOT>`; the model reads the question without them. */
const withoutMentions = (text: string) => text.replace(/<@[A-Z0-9]+>/g, '').replace(/\s+/g, ' ').trim();

function messageOf(event: any, envelope: any): InboundMessage {
  const isDm = event.channel_type === 'im';
  const threadTs: string = event.thread_ts ?? event.ts;
  const files = filesOf(event);
  const text = withoutMentions(String(event.text ?? ''));
  return {
    externalId: slackMessageKey(event.channel, event.ts),
    contact: {
      externalId: isDm ? String(event.channel) : slackThreadKey(event.channel, threadTs),
      name: null,
      attributes: { slackUserId: event.user ?? null, slackTeamId: envelope.team_id ?? event.team ?? null, ...(isDm ? {} : { slackChannel: event.channel }) },
    },
    contentType: text || files.length === 0 ? 'text' : attachmentKind(files[0].mimeType),
    content: text || files.map((f) => `[${attachmentKind(f.mimeType)}: ${f.name ?? f.id}]`).join(' ') || '[message]',
    metadata: {
      slackTs: event.ts,
      ...(isDm ? {} : { slackThreadTs: threadTs }),
      slackEventId: envelope.event_id ?? null,
      ...(files.length > 0 ? { slackFiles: files, attachments: files.map(pendingAttachment) } : {}),
    },
    answer: true,
  };
}

function pendingAttachment(file: SlackFile) {
  return { kind: attachmentKind(file.mimeType), status: 'pending' as const, mimeType: file.mimeType, size: file.size, filename: file.name, blobKey: null };
}

/** Ordinary messages (and file shares) from people; everything bots, edits aside, and the rest of Slack's subtypes are not conversation. */
const ANSWERED_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast']);

function parseMessageEvent(event: any, envelope: any, parsed: ParsedWebhook) {
  if (event.subtype === 'message_changed') {
    const edited = event.message;
    if (!edited?.ts || edited.bot_id || !event.channel) return void (parsed.ignored += 1);
    parsed.edits.push({
      externalId: slackMessageKey(event.channel, edited.ts),
      contact: { externalId: event.channel },
      content: withoutMentions(String(edited.text ?? '')),
      editedAt: new Date(Number(edited.edited?.ts ?? event.ts) * 1000).toISOString(),
      metadata: {},
    });
    return;
  }
  if (event.bot_id || event.bot_profile || !ANSWERED_SUBTYPES.has(event.subtype) || !event.user || !event.channel || !event.ts) {
    parsed.ignored += 1;
    return;
  }
  const isDm = event.channel_type === 'im';
  // In channels the bot answers its mentions (app_mention, the same message) and replies in threads;
  // top-level chatter that does not name it is not for it.
  if (!isDm && !event.thread_ts) {
    parsed.ignored += 1;
    return;
  }
  parsed.messages.push(messageOf(event, envelope));
}

export function parseSlack(envelope: any): ParsedWebhook {
  const parsed = emptyParse();
  const event = envelope?.event;
  if (envelope?.type !== 'event_callback' || !event) {
    parsed.ignored += 1;
    return parsed;
  }
  if (event.type === 'message') parseMessageEvent(event, envelope, parsed);
  else if (event.type === 'app_mention' && !event.bot_id && event.user && event.channel && event.ts) parsed.messages.push(messageOf(event, envelope));
  else parsed.ignored += 1;
  return parsed;
}

// Slack's `error` codes that mean the token itself is no good.
const CREDENTIAL_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'no_permission', 'missing_scope', 'not_allowed_token_type']);
const TRANSIENT_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

function slackFailure(response: PlatformResponse): PlatformFailure {
  const error = String(response.json?.error ?? `HTTP ${response.status}`);
  const reason = clip(`Slack: ${error}${response.json?.needed ? ` (needs ${response.json.needed})` : ''}`);
  if (response.status === 429 || response.status >= 500 || TRANSIENT_ERRORS.has(error)) {
    return { ok: false, transient: true, reason, retryAfterSeconds: retryAfterSeconds(response.headers.get('retry-after')), status: response.status };
  }
  return { ok: false, transient: false, reason, credentialsRejected: CREDENTIAL_ERRORS.has(error), status: response.status };
}

/** A Web API method; a URLSearchParams body goes as a form (for methods documented with form arguments). */
export async function slackCall<T>(config: Config, botToken: string, method: string, body: Record<string, unknown> | URLSearchParams = {}): Promise<PlatformResult<{ result: T }>> {
  const response = await callPlatform(`${config.SLACK_API_URL}/api/${method}`, {
    body,
    headers: { Authorization: `Bearer ${botToken}`, ...(body instanceof URLSearchParams ? {} : { 'Content-Type': 'application/json; charset=utf-8' }) },
    timeoutMs: config.CHANNEL_API_TIMEOUT_MS,
  });
  if (isFailure(response)) return response;
  if (response.status !== 200 || response.json?.ok !== true) return slackFailure(response);
  return { ok: true, result: response.json as T };
}

/** Slack's read methods (users.info…) take their arguments in the query string, not a JSON body. */
export async function slackRead<T>(config: Config, botToken: string, method: string, params: Record<string, string>): Promise<PlatformResult<{ result: T }>> {
  const response = await callPlatform(`${config.SLACK_API_URL}/api/${method}?${new URLSearchParams(params)}`, {
    headers: { Authorization: `Bearer ${botToken}` },
    timeoutMs: config.CHANNEL_API_TIMEOUT_MS,
  });
  if (isFailure(response)) return response;
  if (response.status !== 200 || response.json?.ok !== true) return slackFailure(response);
  return { ok: true, result: response.json as T };
}

interface SlackUser {
  name?: string;
  real_name?: string;
  profile?: { display_name?: string; real_name?: string; image_192?: string; image_72?: string };
}

/** `users.info`: the person's display name (else real name) and picture, as a contact profile. */
export async function fetchSlackProfile(config: Config, botToken: string, userId: string) {
  const read = await slackRead<{ user?: SlackUser }>(config, botToken, 'users.info', { user: userId });
  if (!read.ok) return read;
  const user = read.result.user ?? {};
  const name = user.profile?.display_name || user.profile?.real_name || user.real_name || user.name || null;
  return { ok: true as const, profile: { name, username: user.name ?? null, avatarUrl: user.profile?.image_192 ?? user.profile?.image_72 ?? null } };
}

/** Where a contact's replies go: a DM channel, or a channel and the thread's parent `ts`. */
export function slackDestination(externalId: string): { channel: string; threadTs?: string } {
  const [channel, threadTs] = externalId.split(':');
  return threadTs ? { channel, threadTs } : { channel };
}

export async function sendSlackText(
  config: Config,
  credentials: SlackCredentials,
  recipient: Recipient,
  text: string,
  buttons?: ReplyButtons,
): Promise<PlatformResult<{ externalId: string }>> {
  const { channel, threadTs } = slackDestination(recipient.externalId);
  // Block Kit buttons would need the interactivity endpoint; the offer reads as text instead.
  const body = buttons && buttons.replies.length > 0 ? `${text}\n\n${buttons.fallbackText}` : text;
  const result = await slackCall<{ ts?: string; channel?: string }>(config, credentials.botToken, 'chat.postMessage', {
    channel,
    text: body,
    ...(threadTs ? { thread_ts: threadTs } : {}),
    unfurl_links: false,
  });
  if (!result.ok) return result;
  if (!result.result.ts) return { ok: false, transient: false, reason: 'Slack accepted the message but returned no ts' };
  return { ok: true, externalId: slackMessageKey(result.result.channel ?? channel, result.result.ts) };
}

/**
 * An agent's file, by Slack's upload flow (`files.upload` is retired): `files.getUploadURLExternal`
 * reserves the file and an upload address, the bytes are POSTed there, and
 * `files.completeUploadExternal` shares it in the DM, or in the thread as text replies are. The
 * upload address is Slack's answer, not our setting, so it goes through the outbound port (its
 * address policy) and never gets the bot token (the address is pre-signed). A file reserved but
 * not completed is discarded by Slack, so a retry after a failure here never posts twice.
 */
export async function sendSlackFile(
  services: Pick<Services, 'config' | 'outbound'>,
  credentials: SlackCredentials,
  recipient: Recipient,
  attachment: Sendable,
  file: Blob,
): Promise<PlatformResult<{ externalId: string }>> {
  const { config } = services;
  const filename = attachment.filename ?? attachment.kind;
  const reserved = await slackCall<{ upload_url?: string; file_id?: string }>(config, credentials.botToken, 'files.getUploadURLExternal', new URLSearchParams({ filename, length: String(file.size) }));
  if (!reserved.ok) return reserved;
  const { upload_url: uploadUrl, file_id: fileId } = reserved.result;
  if (!uploadUrl || !fileId) return { ok: false, transient: false, reason: 'Slack gave no upload address for the file' };
  const uploaded = await uploadToSlack(services, uploadUrl, file);
  if (!uploaded.ok) return uploaded;
  const { channel, threadTs } = slackDestination(recipient.externalId);
  const shared = await slackCall<unknown>(config, credentials.botToken, 'files.completeUploadExternal', {
    files: [{ id: fileId, title: filename }],
    channel_id: channel,
    ...(threadTs ? { thread_ts: threadTs } : {}),
  });
  if (!shared.ok) return shared;
  return { ok: true, externalId: `file:${fileId}` };
}

async function uploadToSlack(services: Pick<Services, 'config' | 'outbound'>, uploadUrl: string, file: Blob): Promise<PlatformResult<object>> {
  let response: Response;
  try {
    response = await services.outbound.fetch(uploadUrl, {
      method: 'POST',
      body: new Uint8Array(await file.arrayBuffer()),
      headers: { 'Content-Type': file.type || 'application/octet-stream' },
      timeoutMs: uploadTimeout(services.config),
    });
  } catch (error) {
    if (error instanceof OutboundRefused) return { ok: false, transient: false, reason: `Slack's upload address was refused: ${error.message}` };
    return { ok: false, transient: true, reason: `Could not upload the file to Slack: ${errorMessage(error)}` };
  }
  const answer = (await response.text().catch(() => '')).slice(0, 200);
  if (response.ok) return { ok: true };
  const transient = response.status === 429 || response.status >= 500;
  return { ok: false, transient, reason: clip(`Slack refused the upload: HTTP ${response.status}${answer ? ` ${answer}` : ''}`), status: response.status, ...(transient ? { retryAfterSeconds: retryAfterSeconds(response.headers.get('retry-after')) } : {}) };
}

/** Connect: `auth.test` proves the bot token and names the workspace and the bot user. */
export async function checkSlack(config: Config, credentials: SlackCredentials): Promise<PlatformResult<{ account: { id: string; name: string | null; handle: string | null } }>> {
  const me = await slackCall<{ team?: string; team_id?: string; user?: string; user_id?: string; bot_id?: string }>(config, credentials.botToken, 'auth.test');
  if (!me.ok) return me;
  if (!me.result.bot_id) return { ok: false, transient: false, reason: 'Slack: this is not a bot token (xoxb-…)', credentialsRejected: true };
  return { ok: true, account: { id: String(me.result.user_id ?? me.result.bot_id), name: me.result.team ?? null, handle: me.result.user ? `@${me.result.user}` : null } };
}
