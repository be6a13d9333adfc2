import { eq, sql } from 'drizzle-orm';
import { messages } from '../../../db/schema';
import type { Config } from '../../lib/config';
import type { Services } from '../../ports';
import { attachmentsOf, type MessageAttachment } from './attachments';
import type { TelegramCredentials, WhatsAppCredentials } from './credentials';
import { errorMessage } from './http';
import { graphUrl, metaFailure } from './meta';
import { telegramBotId, telegramFailure, telegramMessageKey } from './telegram';
import type { MessageRow, PlatformFailure, PlatformResult, Recipient } from './types';

/**
 * An agent's file, out through the conversation's platform, the way each documents it:
 *   - WhatsApp: upload to `/{phone-number-id}/media` (multipart), then a message of that type
 *     pointing at the returned media id;
 *   - Messenger/Instagram: the Send API with an `attachment` message and the file as `filedata`
 *     (multipart), `HUMAN_AGENT`-tagged outside the 24-hour window like agents' texts;
 *   - Telegram: `sendPhoto`, `sendAudio`, `sendVideo` or `sendDocument` (multipart);
 *   - Slack and Discord: in slack.ts and discord.ts (Slack's upload flow, Discord's `files[n]`).
 * Each platform's sender is its adapter's `sendFile` (platforms.ts). Each file sent is recorded (`metadata.platformMediaIds`), so a retry after a platform hiccup
 * never sends one twice. Uploads get a longer deadline than JSON calls.
 */
const UPLOAD_TIMEOUT_MS = 120_000;

export type Sendable = MessageAttachment & { blobKey: string; kind: 'image' | 'audio' | 'video' | 'document' };

/** The files of an outgoing message that still have to go out. */
export function attachmentsToSend(message: MessageRow): Sendable[] {
  return attachmentsOf(message.metadata).filter((a): a is Sendable => a.status === 'stored' && a.blobKey !== null && a.kind !== 'sticker');
}

export interface UploadResponse {
  status: number;
  headers: Headers;
  json: any;
}

export async function postMultipart(url: string, form: FormData, headers: Record<string, string>, timeoutMs: number): Promise<UploadResponse | PlatformFailure> {
  try {
    const response = await fetch(url, { method: 'POST', body: form, headers: { Accept: 'application/json', ...headers }, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = { raw: text.slice(0, 500) };
    }
    return { status: response.status, headers: response.headers, json };
  } catch (error) {
    return { ok: false, transient: true, reason: `Could not upload the file: ${errorMessage(error)}` };
  }
}

export const uploadFailed = (value: UploadResponse | PlatformFailure): value is PlatformFailure => 'ok' in value;

export async function fileOf(services: Services, attachment: Sendable): Promise<Blob | null> {
  const blob = await services.blobs.get(attachment.blobKey);
  if (!blob) return null;
  return new Blob([blob.body as Uint8Array<ArrayBuffer>], { type: attachment.mimeType ?? blob.contentType ?? 'application/octet-stream' });
}

export const uploadTimeout = (config: Config) => Math.max(config.CHANNEL_API_TIMEOUT_MS, UPLOAD_TIMEOUT_MS);

export async function sendWhatsAppFile(config: Config, credentials: WhatsAppCredentials, to: string, attachment: Sendable, file: Blob): Promise<PlatformResult<{ externalId: string }>> {
  const form = new FormData();
  form.append('messaging_product', 'whatsapp');
  form.append('type', file.type);
  form.append('file', file, attachment.filename ?? attachment.kind);
  const auth = { Authorization: `Bearer ${credentials.accessToken}` };
  const uploaded = await postMultipart(graphUrl(config, `${credentials.phoneNumberId}/media`), form, auth, uploadTimeout(config));
  if (uploadFailed(uploaded)) return uploaded;
  if (uploaded.status < 200 || uploaded.status >= 300 || uploaded.json?.error) return metaFailure(uploaded);
  const mediaId = uploaded.json?.id;
  if (!mediaId) return { ok: false, transient: false, reason: 'WhatsApp accepted the upload but returned no media id' };
  const body = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: attachment.kind,
    [attachment.kind]: attachment.kind === 'document' ? { id: mediaId, filename: attachment.filename } : { id: mediaId },
  };
  try {
    const response = await fetch(graphUrl(config, `${credentials.phoneNumberId}/messages`), {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(config.CHANNEL_API_TIMEOUT_MS),
    });
    const json: any = await response.json().catch(() => null);
    if (!response.ok || json?.error) return metaFailure({ status: response.status, headers: response.headers, json });
    const id = json?.messages?.[0]?.id;
    return id ? { ok: true, externalId: id } : { ok: false, transient: false, reason: 'WhatsApp accepted the message but returned no message id' };
  } catch (error) {
    return { ok: false, transient: true, reason: `Could not reach WhatsApp: ${errorMessage(error)}` };
  }
}

const MESSENGER_TYPES = { image: 'image', audio: 'audio', video: 'video', document: 'file' } as const;

export async function sendMetaFile(config: Config, token: string, recipient: Recipient, role: MessageRow['role'], attachment: Sendable, file: Blob): Promise<PlatformResult<{ externalId: string }>> {
  const tagged = role === 'agent' && recipient.outsideStandardWindow;
  const form = new FormData();
  form.append('recipient', JSON.stringify({ id: recipient.externalId }));
  form.append('messaging_type', tagged ? 'MESSAGE_TAG' : 'RESPONSE');
  if (tagged) form.append('tag', 'HUMAN_AGENT');
  form.append('message', JSON.stringify({ attachment: { type: MESSENGER_TYPES[attachment.kind], payload: { is_reusable: false } } }));
  form.append('filedata', file, attachment.filename ?? attachment.kind);
  const response = await postMultipart(graphUrl(config, 'me/messages'), form, { Authorization: `Bearer ${token}` }, uploadTimeout(config));
  if (uploadFailed(response)) return response;
  if (response.status < 200 || response.status >= 300 || response.json?.error) return metaFailure(response);
  const id = response.json?.message_id;
  return id ? { ok: true, externalId: id } : { ok: false, transient: false, reason: 'Meta accepted the file but returned no message id' };
}

const TELEGRAM_METHODS = {
  image: ['sendPhoto', 'photo'],
  audio: ['sendAudio', 'audio'],
  video: ['sendVideo', 'video'],
  document: ['sendDocument', 'document'],
} as const;

export async function sendTelegramFile(config: Config, credentials: TelegramCredentials, recipient: Recipient, attachment: Sendable, file: Blob): Promise<PlatformResult<{ externalId: string }>> {
  const [method, field] = TELEGRAM_METHODS[attachment.kind];
  const form = new FormData();
  form.append('chat_id', recipient.externalId);
  form.append(field, file, attachment.filename ?? attachment.kind);
  const response = await postMultipart(`${config.TELEGRAM_API_URL}/bot${credentials.botToken}/${method}`, form, {}, uploadTimeout(config));
  if (uploadFailed(response)) return response;
  if (response.status !== 200 || response.json?.ok !== true) return telegramFailure(response);
  const messageId = response.json.result?.message_id;
  if (messageId === undefined) return { ok: false, transient: false, reason: 'Telegram accepted the file but returned no message id' };
  return { ok: true, externalId: telegramMessageKey(telegramBotId(credentials.botToken), recipient.externalId, messageId) };
}

/**
 * Sends the message's files not yet sent, in order, recording each. Returns the platform ids of
 * all files sent (this run and earlier ones), or the first failure.
 */
export type SendFile = (attachment: Sendable, file: Blob) => Promise<PlatformResult<{ externalId: string }>>;

export async function sendMessageAttachments(services: Services, message: MessageRow, sendFile: SendFile): Promise<PlatformResult<{ externalIds: string[] }>> {
  const files = attachmentsToSend(message);
  const sent = Array.isArray(message.metadata.platformMediaIds) ? [...(message.metadata.platformMediaIds as string[])] : [];
  for (let index = sent.length; index < files.length; index++) {
    const file = await fileOf(services, files[index]);
    if (!file) return { ok: false, transient: false, reason: `The file ${files[index].filename ?? ''} is no longer stored.` };
    const result = await sendFile(files[index], file);
    if (!result.ok) return result;
    sent.push(result.externalId);
    await services.db
      .update(messages)
      .set({ metadata: sql`${messages.metadata} || ${JSON.stringify({ platformMediaIds: sent })}::jsonb` })
      .where(eq(messages.id, message.id));
  }
  return { ok: true, externalIds: sent };
}
