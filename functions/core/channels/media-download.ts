import { and, eq } from 'drizzle-orm';
import { channels, conversations, messages } from '../../../db/schema';
import type { Services } from '../../ports';
import { attachmentBlobKey, attachmentsOf, defaultFilename, displayFilename, type AttachmentKind, type MessageAttachment } from './attachments';
import { openCredentials, type AnyCredentials, type SlackCredentials, type TelegramCredentials, type WhatsAppCredentials } from './credentials';
import { announceMessageUpdated, saveAttachment } from './attachment-store';
import { errorMessage } from './http';
import { graphCall } from './meta';
import { DOWNLOAD_LIMITS } from './media-types';
import { streamToBlob, type StreamOutcome } from './media-stream';
import { telegramCall } from './telegram';
import { hasAudioToTranscribe, TRANSCRIBE_AUDIO_JOB, transcribes } from './transcription';
import type { InboundMessage, IntegrationRow, Platform, PlatformFailure } from './types';

/**
 * Incoming media: the webhook stores the message at once with its files listed as `pending` and
 * queues `download-media`; this job fetches each file from the platform (WhatsApp: the media id's
 * URL, with the token; Messenger/Instagram: the attachment URL; Telegram: getFile, then the file
 * path) into blob storage, and marks each `stored`, `too_large` or `failed`. Transient failures
 * throw so the queue retries; the last attempt's give-up marks what is left `failed`. The bot's
 * answer waits for the files (it may read them), so this job queues the reply when it is done.
 */
export const DOWNLOAD_MEDIA_JOB = 'download-media';

const MEDIA_KINDS: Record<string, AttachmentKind> = { image: 'image', audio: 'audio', video: 'video', document: 'document', sticker: 'sticker' };
const MESSENGER_KINDS: Record<string, AttachmentKind> = { image: 'image', audio: 'audio', video: 'video', file: 'document' };

interface PlatformAttachment {
  type?: string;
  url?: string;
  title?: string;
  stickerId?: unknown;
}

/** Messenger/Instagram attachments that are files (locations, shares and links are not). */
function messengerFiles(list: unknown): Array<{ kind: AttachmentKind; url: string; title: string | null }> {
  if (!Array.isArray(list)) return [];
  return (list as PlatformAttachment[]).flatMap((a) => {
    const kind = a?.type === 'image' && a.stickerId !== undefined && a.stickerId !== null ? 'sticker' : MESSENGER_KINDS[a?.type ?? ''];
    return kind && typeof a.url === 'string' && a.url ? [{ kind, url: a.url, title: a.title ?? null }] : [];
  });
}

function pending(kind: AttachmentKind, mimeType: unknown, filename: unknown, size?: unknown): MessageAttachment {
  const type = typeof mimeType === 'string' && mimeType ? mimeType : null;
  return {
    kind,
    status: 'pending',
    mimeType: type,
    size: typeof size === 'number' ? size : null,
    filename: (typeof filename === 'string' ? displayFilename(filename) : null) ?? defaultFilename(kind, type),
    blobKey: null,
  };
}

/**
 * The metadata to store for an incoming message: its files listed as pending attachments (in the
 * shared contract's shape). Messenger's parser lists the raw attachments under `attachments`;
 * they move to `platformAttachments`, where the job finds their URLs.
 */
export function withPendingAttachments(platform: Platform, message: InboundMessage): { metadata: Record<string, unknown>; files: number } {
  const metadata = { ...message.metadata };
  if (platform === 'slack' || platform === 'discord') {
    // Their parsers list the files already as pending attachments, with the URLs beside them.
    const files = sharedFiles(platform, metadata).length;
    return { metadata, files: Math.min(files, attachmentsOf(metadata).length) };
  }
  if (platform === 'messenger' || platform === 'instagram') {
    const raw = metadata.attachments;
    if (raw === undefined) return { metadata, files: 0 };
    delete metadata.attachments;
    metadata.platformAttachments = raw;
    const files = messengerFiles(raw).map((file) => pending(file.kind, null, file.title));
    if (files.length > 0) metadata.attachments = files;
    return { metadata, files: files.length };
  }
  const kind = MEDIA_KINDS[message.contentType];
  const media = metadata.media as Record<string, unknown> | undefined;
  const source = platform === 'whatsapp' ? media?.id : media?.fileId;
  if (!kind || !media || typeof source !== 'string') return { metadata, files: 0 };
  metadata.attachments = [pending(kind, media.mimeType, platform === 'whatsapp' ? media.filename : media.fileName, media.fileSize)];
  return { metadata, files: 1 };
}

/** A file shared in Slack (`url_private_download`, read with the bot token) or Discord (a CDN URL), as the parsers keep it. */
interface SharedFile {
  url: string | null;
}

function sharedFiles(platform: 'slack' | 'discord', metadata: Record<string, unknown>): SharedFile[] {
  const list = platform === 'slack' ? metadata.slackFiles : metadata.discordFiles;
  return Array.isArray(list) ? (list as SharedFile[]) : [];
}

interface Located {
  url: string;
  headers?: Record<string, string>;
  mimeType: string | null;
  size: number | null;
}

type Location = { ok: true; at: Located } | { ok: false; status: 'failed' | 'too_large'; reason: string; transient: boolean };

const fromFailure = (failure: PlatformFailure): Location => ({ ok: false, status: 'failed', reason: failure.reason, transient: failure.transient });

/** Where the `index`-th file of a message can be downloaded, asked of the platform where it must be. */
async function locate(services: Services, platform: Platform, credentials: AnyCredentials, metadata: Record<string, unknown>, index: number): Promise<Location> {
  const media = (metadata.media ?? {}) as Record<string, unknown>;
  if (platform === 'whatsapp') {
    const { accessToken, phoneNumberId } = credentials as WhatsAppCredentials;
    // The media id's URL is short-lived (about five minutes) and needs the same token to download.
    const info = await graphCall<{ url?: string; mime_type?: string; file_size?: number }>(
      services.config,
      `${encodeURIComponent(String(media.id))}?phone_number_id=${encodeURIComponent(phoneNumberId)}`,
      accessToken,
    );
    if (!info.ok) return fromFailure(info);
    if (!info.data.url) return { ok: false, status: 'failed', reason: 'WhatsApp returned no URL for the media id.', transient: false };
    return { ok: true, at: { url: info.data.url, headers: { Authorization: `Bearer ${accessToken}` }, mimeType: info.data.mime_type ?? null, size: info.data.file_size ?? null } };
  }
  if (platform === 'telegram') {
    const { botToken } = credentials as TelegramCredentials;
    const file = await telegramCall<{ file_path?: string; file_size?: number }>(services.config, botToken, 'getFile', { file_id: String(media.fileId) });
    if (!file.ok) {
      // Bots may not download files over 20 MB: Telegram refuses getFile with "file is too big".
      if (/too big/i.test(file.reason)) return { ok: false, status: 'too_large', reason: 'Telegram lets bots download files up to 20 MB; this one is larger.', transient: false };
      return fromFailure(file);
    }
    if (!file.result.file_path) return { ok: false, status: 'failed', reason: 'Telegram returned no file path.', transient: false };
    return { ok: true, at: { url: `${services.config.TELEGRAM_API_URL}/file/bot${botToken}/${file.result.file_path}`, mimeType: typeof media.mimeType === 'string' ? media.mimeType : null, size: file.result.file_size ?? null } };
  }
  if (platform === 'slack' || platform === 'discord') {
    const url = sharedFiles(platform, metadata)[index]?.url;
    if (typeof url !== 'string' || !url) return { ok: false, status: 'failed', reason: 'The file has no download URL.', transient: false };
    // Slack's private file URLs need the bot token (without it Slack answers its sign-in page); Discord's CDN needs none.
    const headers = platform === 'slack' ? { Authorization: `Bearer ${(credentials as SlackCredentials).botToken}` } : undefined;
    return { ok: true, at: { url, headers, mimeType: null, size: null } };
  }
  const file = messengerFiles(metadata.platformAttachments)[index];
  if (!file) return { ok: false, status: 'failed', reason: 'The attachment has no URL.', transient: false };
  return { ok: true, at: { url: file.url, mimeType: null, size: null } };
}

/** One file: located, streamed into storage, and the attachment entry as it now stands. */
export async function downloadAttachment(
  services: Services,
  target: { organizationId: string; messageId: string; platform: Platform; credentials: AnyCredentials; metadata: Record<string, unknown> },
  attachment: MessageAttachment,
  index: number,
): Promise<{ attachment: MessageAttachment; transient: boolean; bytesRead: number }> {
  const limit = DOWNLOAD_LIMITS[target.platform][attachment.kind];
  const where = await locate(services, target.platform, target.credentials, target.metadata, index);
  if (!where.ok) return { attachment: { ...attachment, status: where.transient ? 'pending' : where.status, error: where.reason }, transient: where.transient, bytesRead: 0 };
  if (where.at.size !== null && where.at.size > limit) {
    const outcome: StreamOutcome = { status: 'too_large', reason: `The file is larger than this channel allows (${where.at.size} bytes, limit ${limit}); it was not downloaded.`, bytesRead: 0 };
    return { attachment: { ...attachment, status: 'too_large', size: where.at.size, error: outcome.reason }, transient: false, bytesRead: 0 };
  }
  const blobKey = attachmentBlobKey(target.organizationId, target.messageId, index, attachment.filename);
  const outcome = await streamToBlob(services, {
    url: where.at.url,
    headers: where.at.headers,
    kind: attachment.kind,
    declaredMimeType: where.at.mimeType ?? attachment.mimeType,
    limit,
    blobKey,
  });
  if (outcome.status === 'stored') {
    return { attachment: { ...attachment, status: 'stored', mimeType: outcome.mimeType, size: outcome.size, blobKey, error: null }, transient: false, bytesRead: outcome.size };
  }
  if (outcome.status === 'too_large') return { attachment: { ...attachment, status: 'too_large', error: outcome.reason }, transient: false, bytesRead: outcome.bytesRead };
  return { attachment: { ...attachment, status: outcome.transient ? 'pending' : 'failed', error: outcome.reason }, transient: outcome.transient, bytesRead: outcome.bytesRead };
}

async function loadTarget(services: Services, messageId: string) {
  const [row] = await services.db
    .select({ message: messages, integration: channels })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .leftJoin(channels, and(eq(channels.id, conversations.channelId), eq(channels.organizationId, messages.organizationId)))
    .where(eq(messages.id, messageId))
    .limit(1);
  return row;
}

async function credentialsOf(services: Services, integration: IntegrationRow): Promise<AnyCredentials | null> {
  if (!integration.credentialsEncrypted) return null;
  try {
    return await openCredentials(integration.platform, integration.credentialsEncrypted, services.config.ENCRYPTION_KEY);
  } catch {
    return null;
  }
}

/**
 * The answer waited for the files; it goes now (the reply job is idempotent), unless stored audio
 * is to be transcribed first: then the transcription job queues it.
 */
async function queueReply(services: Services, messageId: string, reply: boolean) {
  const [row] = await services.db.select({ organizationId: messages.organizationId, metadata: messages.metadata }).from(messages).where(eq(messages.id, messageId)).limit(1);
  if (row && hasAudioToTranscribe(row.metadata) && (await transcribes(services, row.organizationId))) {
    await services.queue.enqueue(TRANSCRIBE_AUDIO_JOB, { messageId, reply });
    return;
  }
  if (reply) await services.queue.enqueue('channel-reply', { messageId });
}

export interface DownloadJobResult {
  stored: number;
  tooLarge: number;
  failed: number;
  /** Bytes received from the platform in this run (a refused file stops early). */
  bytesRead: number;
}

/** The `download-media` job: every still-pending file of one message. Throws (to be retried) while one failed transiently. */
export async function downloadMessageMedia(services: Services, messageId: string, reply: boolean): Promise<DownloadJobResult | { skipped: string }> {
  const row = await loadTarget(services, messageId);
  if (!row) return { skipped: 'message not found' };
  const attachments = attachmentsOf(row.message.metadata);
  const result: DownloadJobResult = { stored: 0, tooLarge: 0, failed: 0, bytesRead: 0 };
  if (!attachments.some((a) => a.status === 'pending')) {
    await queueReply(services, messageId, reply);
    return result;
  }
  const integration = row.integration;
  const credentials = integration ? await credentialsOf(services, integration) : null;
  if (!integration || !credentials) {
    await giveUpMedia(services, messageId, reply, 'The channel this message came from is gone or its credentials cannot be read.');
    return { ...result, failed: attachments.length };
  }
  const target = { organizationId: row.message.organizationId, messageId, platform: integration.platform as Platform, credentials, metadata: row.message.metadata };
  let transientReason: string | null = null;
  for (const [index, attachment] of attachments.entries()) {
    if (attachment.status !== 'pending') continue;
    let outcome: Awaited<ReturnType<typeof downloadAttachment>>;
    try {
      outcome = await downloadAttachment(services, target, attachment, index);
    } catch (error) {
      outcome = { attachment: { ...attachment, error: errorMessage(error) }, transient: true, bytesRead: 0 };
    }
    await saveAttachment(services, messageId, index, outcome.attachment);
    result.bytesRead += outcome.bytesRead;
    if (outcome.transient) transientReason = outcome.attachment.error ?? 'download failed';
    else if (outcome.attachment.status === 'stored') result.stored += 1;
    else if (outcome.attachment.status === 'too_large') result.tooLarge += 1;
    else result.failed += 1;
  }
  await announceMessageUpdated(services, messageId);
  // The queue retries with back-off; the give-up below runs after the last attempt.
  if (transientReason) throw new Error(`Media download will be retried: ${transientReason}`);
  await queueReply(services, messageId, reply);
  return result;
}

/** After the last attempt: what is still pending is failed (with the last reason), and the answer goes. */
export async function giveUpMedia(services: Services, messageId: string, reply: boolean, reason: string) {
  const [row] = await services.db.select().from(messages).where(eq(messages.id, messageId)).limit(1);
  if (!row) return;
  const attachments = attachmentsOf(row.metadata);
  for (const [index, attachment] of attachments.entries()) {
    if (attachment.status !== 'pending') continue;
    await saveAttachment(services, messageId, index, { ...attachment, status: 'failed', error: attachment.error ?? reason });
  }
  await announceMessageUpdated(services, messageId);
  await queueReply(services, messageId, reply);
}
