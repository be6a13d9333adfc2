import { z } from '@hono/zod-openapi';

/**
 * Files a message carries (issue 17's shared contract): `messages.metadata.attachments`, one entry
 * per image, audio, video, document or sticker, whoever brought it in (a channel webhook, an
 * agent's upload, the email or Slack inbound). The bytes live in `services.blobs` under a key per
 * organization, so erasing an organization or a contact can delete by prefix.
 */
export const ATTACHMENT_KINDS = ['image', 'audio', 'video', 'document', 'sticker'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];
export const ATTACHMENT_STATUSES = ['pending', 'stored', 'failed', 'too_large'] as const;
export type AttachmentStatus = (typeof ATTACHMENT_STATUSES)[number];

export const messageAttachmentSchema = z
  .object({
    kind: z.enum(ATTACHMENT_KINDS),
    status: z.enum(ATTACHMENT_STATUSES).openapi({ description: '`pending` while the download job runs; `too_large` and `failed` say why in `error`' }),
    mimeType: z.string().nullable(),
    size: z.number().int().nullable().openapi({ description: 'Bytes, once known' }),
    filename: z.string().nullable(),
    blobKey: z.string().nullable().openapi({ description: 'Where the bytes are stored; null until they are' }),
    error: z.string().nullable().optional(),
    inline: z.boolean().optional().openapi({ description: 'Email: an image the message showed inline (`cid:`) rather than a file the sender attached' }),
    transcript: z.string().nullable().optional().openapi({ description: 'Audio: what was said, when a transcription model is configured and it succeeded' }),
    transcriptStatus: z.enum(['done', 'failed', 'too_large']).optional().openapi({ description: 'Audio: absent while not (yet) transcribed; `failed` and `too_large` say why in `transcriptError`' }),
    transcriptError: z.string().nullable().optional(),
  })
  .openapi('MessageAttachment');

export type MessageAttachment = z.infer<typeof messageAttachmentSchema>;

const attachmentList = z.array(messageAttachmentSchema);

/** The attachments a message's metadata lists in the contract's shape (anything else there is ignored). */
export function attachmentsOf(metadata: Record<string, unknown> | null | undefined): MessageAttachment[] {
  const parsed = attachmentList.safeParse(metadata?.attachments);
  return parsed.success ? parsed.data : [];
}

export function isAttachmentKind(value: unknown): value is AttachmentKind {
  return typeof value === 'string' && (ATTACHMENT_KINDS as readonly string[]).includes(value);
}

// eslint-disable-next-line no-control-regex -- removing control characters is the point
const INVISIBLE_IN_NAMES = /[\u0000-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/**
 * The name a file is shown under, as its sender gave it: without control characters (NUL cannot
 * be stored; a line break could end a header line) or bidirectional overrides (`\u202Efdp.exe`
 * shows as `exe.pdf`), bounded. Null when nothing is left.
 */
export function displayFilename(name: string | null | undefined): string | null {
  const shown = (name ?? '').replace(INVISIBLE_IN_NAMES, '').trim().slice(0, 255);
  return shown || null;
}

/** A file name safe in a blob key and a header: no path, no control or quoting characters, bounded. */
export function safeFilename(name: string | null | undefined, fallback = 'file'): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .normalize('NFKD')
    .replace(/[^\w.\- ]+/g, '')
    .replace(/\s+/g, '_')
    .replace(/^\.+/, '')
    .slice(-100);
  return cleaned || fallback;
}

/** `org/<organizationId>/attachments/<messageId>/<n>-<safe filename>` (the contract's key layout). */
export function attachmentBlobKey(organizationId: string, messageId: string, index: number, filename: string | null) {
  return `org/${organizationId}/attachments/${messageId}/${index}-${safeFilename(filename)}`;
}

/** Every attachment key of an organization starts with this (for erasure by prefix). */
export const attachmentPrefix = (organizationId: string) => `org/${organizationId}/attachments/`;

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/amr': 'amr',
  'video/mp4': 'mp4',
  'video/3gpp': '3gp',
  'video/webm': 'webm',
  'application/pdf': 'pdf',
  'application/x-tgsticker': 'tgs',
};

/** A name for a file the platform sent without one (a photo, a voice note): kind plus extension. */
export function defaultFilename(kind: AttachmentKind, mimeType: string | null) {
  const extension = mimeType ? EXTENSIONS[mimeType.split(';')[0].trim().toLowerCase()] : undefined;
  return extension ? `${kind}.${extension}` : kind;
}
