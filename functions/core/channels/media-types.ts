import type { AttachmentKind } from './attachments';
import type { Platform } from './types';

/**
 * What each platform lets through, and how we tell what a file really is. Limits are the
 * platforms' documented ones; types are checked by the Content-Type a download answers with and,
 * for images, by the file's first bytes (a CDN error page or a renamed script must not be stored
 * and later shown as a picture). No image library: a handful of magic numbers is enough.
 */
const MB = 1024 * 1024;

/** Largest file we download per platform and kind (WhatsApp Cloud API media, Messenger 25 MB, Telegram Bot API getFile 20 MB). */
export const DOWNLOAD_LIMITS: Record<Platform, Record<AttachmentKind, number>> = {
  whatsapp: { image: 5 * MB, audio: 16 * MB, video: 16 * MB, document: 100 * MB, sticker: 500 * 1024 },
  messenger: { image: 25 * MB, audio: 25 * MB, video: 25 * MB, document: 25 * MB, sticker: 25 * MB },
  instagram: { image: 25 * MB, audio: 25 * MB, video: 25 * MB, document: 25 * MB, sticker: 25 * MB },
  telegram: { image: 20 * MB, audio: 20 * MB, video: 20 * MB, document: 20 * MB, sticker: 20 * MB },
  // Mail arrives with its attachments inside (the email module stores them under its own limit).
  email: { image: 25 * MB, audio: 25 * MB, video: 25 * MB, document: 25 * MB, sticker: 25 * MB },
  // Files shared in Slack and Discord are listed with their URLs (`slackFiles`, `discordFiles`) and
  // fetched by the download job like the others.
  slack: { image: 25 * MB, audio: 25 * MB, video: 25 * MB, document: 25 * MB, sticker: 25 * MB },
  discord: { image: 25 * MB, audio: 25 * MB, video: 25 * MB, document: 25 * MB, sticker: 25 * MB },
};

export type SendChannel = Platform | 'web';

/** Largest file an agent may send per channel and kind (WhatsApp media upload, Messenger/Instagram attachments, Telegram sendPhoto/sendDocument). */
export const SEND_LIMITS: Record<SendChannel, Record<'image' | 'audio' | 'video' | 'document', number>> = {
  whatsapp: { image: 5 * MB, audio: 16 * MB, video: 16 * MB, document: 100 * MB },
  messenger: { image: 25 * MB, audio: 25 * MB, video: 25 * MB, document: 25 * MB },
  instagram: { image: 8 * MB, audio: 25 * MB, video: 25 * MB, document: 25 * MB },
  telegram: { image: 10 * MB, audio: 50 * MB, video: 50 * MB, document: 50 * MB },
  web: { image: 10 * MB, audio: 10 * MB, video: 10 * MB, document: 10 * MB },
  // Common providers' message size limit is about 25 MB, encoded: the file itself must stay under it.
  email: { image: 10 * MB, audio: 10 * MB, video: 10 * MB, document: 10 * MB },
  // Slack takes up to 1 GB through its upload flow: ours (MAX_UPLOAD_BYTES) is the bound. Discord:
  // 10 MiB, the default for bots in a server without boosts.
  slack: { image: 25 * MB, audio: 25 * MB, video: 25 * MB, document: 25 * MB },
  discord: { image: 10 * MB, audio: 10 * MB, video: 10 * MB, document: 10 * MB },
};

/** Types each channel accepts for a kind when we send (null: any type). */
export const SEND_TYPES: Partial<Record<SendChannel, Partial<Record<'image' | 'audio' | 'video' | 'document', readonly string[]>>>> = {
  whatsapp: {
    image: ['image/jpeg', 'image/png'],
    audio: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'],
    video: ['video/mp4', 'video/3gpp'],
  },
  instagram: { image: ['image/jpeg', 'image/png', 'image/gif'], video: ['video/mp4', 'video/quicktime', 'video/webm'], audio: ['audio/aac', 'audio/mp4', 'audio/wav', 'audio/mpeg', 'audio/ogg'] },
};

/** Uploads an agent sends are read whole (they are posted to the platform as one multipart body). */
export const MAX_UPLOAD_BYTES = 25 * MB;

export const megabytes = (bytes: number) => `${Math.round((bytes / MB) * 10) / 10} MB`;

/** Images we show inline: the formats every browser decodes, never SVG (it can carry script). */
export const INLINE_IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

export const baseType = (contentType: string | null | undefined) => (contentType ?? '').split(';')[0].trim().toLowerCase();

/** The image format the first bytes say, or null. */
export function sniffImage(head: Uint8Array): string | null {
  const at = (offset: number, bytes: number[]) => bytes.every((b, i) => head[offset + i] === b);
  if (at(0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (at(0, [0x47, 0x49, 0x46, 0x38])) return 'image/gif';
  if (at(0, [0x52, 0x49, 0x46, 0x46]) && at(8, [0x57, 0x45, 0x42, 0x50])) return 'image/webp';
  return null;
}

/** Enough bytes for every signature above. */
export const SNIFF_BYTES = 12;

/** Generic answers that say nothing about the file (Telegram's file server answers this way). */
const UNINFORMATIVE = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/binary']);
/** Never stored under any kind: what a browser would run. */
const ACTIVE = new Set(['text/html', 'application/xhtml+xml', 'image/svg+xml', 'text/javascript', 'application/javascript', 'text/xml', 'application/xml']);
const STICKER_TYPES = new Set(['image/webp', 'image/png', 'application/x-tgsticker', 'video/webm', 'application/gzip']);

/**
 * The type to store a downloaded file under, or why it does not fit its kind. `header` is what the
 * download answered, `declared` what the webhook said, `head` the first bytes.
 */
export function checkMediaType(kind: AttachmentKind, header: string | null, declared: string | null, head: Uint8Array): { ok: true; mimeType: string } | { ok: false; reason: string } {
  const answered = baseType(header);
  if (ACTIVE.has(answered)) return { ok: false, reason: `The download answered ${answered}, not a ${kind}.` };
  const stated = UNINFORMATIVE.has(answered) ? baseType(declared) : answered;
  if (ACTIVE.has(stated)) return { ok: false, reason: `A ${stated} file is not accepted.` };
  const sniffed = sniffImage(head);
  if (kind === 'image') {
    if (!sniffed) return { ok: false, reason: `The file is not a JPEG, PNG, GIF or WebP image${stated ? ` (it says ${stated})` : ''}.` };
    return { ok: true, mimeType: sniffed };
  }
  if (kind === 'sticker') {
    if (sniffed) return { ok: true, mimeType: sniffed };
    if (head[0] === 0x1f && head[1] === 0x8b) return { ok: true, mimeType: 'application/x-tgsticker' };
    if (STICKER_TYPES.has(stated)) return { ok: true, mimeType: stated };
    return { ok: false, reason: `A sticker must be WebP, PNG, TGS or WebM${stated ? `, not ${stated}` : ''}.` };
  }
  if (kind === 'audio') {
    if (stated.startsWith('audio/') || stated === 'application/ogg') return { ok: true, mimeType: stated };
    return { ok: false, reason: `The file is not audio${stated ? ` (it says ${stated})` : ''}.` };
  }
  if (kind === 'video') {
    if (stated.startsWith('video/')) return { ok: true, mimeType: stated };
    return { ok: false, reason: `The file is not a video${stated ? ` (it says ${stated})` : ''}.` };
  }
  return { ok: true, mimeType: stated || 'application/octet-stream' };
}

/** The kind an uploaded file is sent as: pictures as images, audio and video as such, the rest as documents. */
export function kindOfUpload(mimeType: string, head: Uint8Array): 'image' | 'audio' | 'video' | 'document' {
  const type = baseType(mimeType);
  if (type.startsWith('image/') && sniffImage(head) === type) return 'image';
  if (type.startsWith('audio/')) return 'audio';
  if (type.startsWith('video/')) return 'video';
  return 'document';
}
