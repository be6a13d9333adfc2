import { and, eq, inArray } from 'drizzle-orm';
import { messages } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import type { Services } from '../../ports';
import { postAgentMessage } from '../conversations/manage';
import { findConversation } from '../conversations/read';
import { attachmentBlobKey, attachmentsOf, safeFilename, type MessageAttachment } from './attachments';
import { baseType, INLINE_IMAGE_TYPES, kindOfUpload, MAX_UPLOAD_BYTES, megabytes, SEND_LIMITS, SEND_TYPES, SNIFF_BYTES, type SendChannel } from './media-types';

/**
 * Files in the inbox, both ways: an agent sends one (checked against the channel's limits, stored,
 * then sent like any agent reply: the send job uploads it to the platform), and the dashboard
 * reads a stored one. Serving never lets a file act as a page: inline only for images the browser
 * decodes as images (never SVG), audio, video and PDF; everything else downloads; always nosniff.
 */
const SENDABLE_CHANNELS = new Set<string>(['whatsapp', 'messenger', 'instagram', 'telegram', 'web', 'email', 'slack', 'discord']);

interface Actor {
  organizationId: string;
  userId: string | null;
}

function refuse(channel: SendChannel, kind: string, size: number, mimeType: string) {
  const limit = SEND_LIMITS[channel][kind as 'image'];
  if (size > limit) {
    return new ApiError('payload_too_large', `${channelName(channel)} accepts ${kind === 'document' ? 'files' : `${kind} files`} up to ${megabytes(limit)}; this one is ${megabytes(size)}.`);
  }
  const types = SEND_TYPES[channel]?.[kind as 'image'];
  if (types && !types.includes(mimeType)) {
    return new ApiError('unsupported_media_type', `${channelName(channel)} does not accept ${mimeType} as ${kind === 'image' ? 'an image' : kind}; it takes ${types.join(', ')}.`);
  }
  return null;
}

const NAMES: Record<SendChannel, string> = { whatsapp: 'WhatsApp', messenger: 'Messenger', instagram: 'Instagram', telegram: 'Telegram', web: 'The chat widget', email: 'Email', slack: 'Slack', discord: 'Discord' };
const channelName = (channel: SendChannel) => NAMES[channel];

/** An agent's file into a conversation: stored, then sent through the conversation's channel. */
export async function postAgentAttachment(services: Services, actor: Actor, conversationId: string, file: File, caption: string) {
  const found = await findConversation(services.db, actor.organizationId, conversationId);
  if (!found) throw new ApiError('not_found', 'Conversation not found');
  const channel = found.row.channel;
  if (!SENDABLE_CHANNELS.has(channel)) throw new ApiError('bad_request', `Files cannot be sent on a ${channel} conversation.`);
  if (file.size === 0) throw new ApiError('validation_failed', 'The file is empty.', { details: [{ path: 'file', message: 'The file is empty.', code: 'empty' }] });
  if (file.size > MAX_UPLOAD_BYTES) throw new ApiError('payload_too_large', `Files can be up to ${megabytes(MAX_UPLOAD_BYTES)}.`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const declared = baseType(file.type) || 'application/octet-stream';
  const kind = kindOfUpload(declared, bytes.subarray(0, SNIFF_BYTES));
  // A file that claims to be a picture but is not one goes as a document, never as an image.
  const mimeType = kind === 'document' && declared.startsWith('image/') && !INLINE_IMAGE_TYPES.has(declared) ? 'application/octet-stream' : declared;
  const refusal = refuse(channel as SendChannel, kind, file.size, mimeType);
  if (refusal) throw refusal;

  const id = crypto.randomUUID();
  const filename = safeFilename(file.name, kind);
  const blobKey = attachmentBlobKey(actor.organizationId, id, 0, filename);
  await services.blobs.put(blobKey, bytes, { contentType: mimeType });
  const attachment: MessageAttachment = { kind, status: 'stored', mimeType, size: file.size, filename, blobKey, error: null };
  return postAgentMessage(services, actor, conversationId, { content: caption, id, contentType: kind, metadata: { attachments: [attachment] } });
}

/** Types served as themselves and shown inline; anything else is served as a download of bytes. */
function servedAs(mimeType: string | null): { type: string; inline: boolean } {
  const type = baseType(mimeType);
  if (INLINE_IMAGE_TYPES.has(type) || type.startsWith('audio/') || type.startsWith('video/') || type === 'application/pdf') return { type, inline: true };
  return { type: 'application/octet-stream', inline: false };
}

/** `filename*` carries any name; the ASCII `filename` is for old clients. */
function disposition(inline: boolean, filename: string) {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** Which stored file: a message of one conversation of one organization, and who may see it. */
export interface AttachmentLocator {
  organizationId: string;
  conversationId: string;
  messageId: string;
  index: number;
  /** Only messages with these roles (a visitor never reads a private note's file); any when absent. */
  roles?: Array<MessageRow['role']>;
}

type MessageRow = typeof messages.$inferSelect;

/**
 * One stored file, streamed, with the headers that keep it from acting as a page: for the dashboard
 * (organization-scoped) and the widget (the visitor's own conversation), the same lookup and rules.
 * The route sends it with `c.body`, so the headers its middleware set (CORS) stay on the answer.
 */
export async function storedAttachment(services: Services, where: AttachmentLocator, download: boolean): Promise<{ body: ReadableStream<Uint8Array>; headers: Record<string, string> }> {
  const { organizationId, conversationId, messageId, index, roles } = where;
  const [row] = await services.db
    .select({ metadata: messages.metadata })
    .from(messages)
    .where(
      and(
        eq(messages.organizationId, organizationId),
        eq(messages.conversationId, conversationId),
        eq(messages.id, messageId),
        roles ? inArray(messages.role, roles) : undefined,
      ),
    )
    .limit(1);
  const attachment = row ? attachmentsOf(row.metadata)[index] : undefined;
  if (!attachment) throw new ApiError('not_found', 'Attachment not found');
  if (attachment.status !== 'stored' || !attachment.blobKey) {
    throw new ApiError('not_found', attachment.status === 'pending' ? 'The file is still being downloaded.' : `The file was not stored: ${attachment.error ?? attachment.status}`);
  }
  const blob = await services.blobs.getStream(attachment.blobKey);
  if (!blob) throw new ApiError('not_found', 'Attachment not found');
  const served = servedAs(attachment.mimeType ?? blob.contentType ?? null);
  return {
    body: blob.body,
    headers: {
      'Content-Type': served.type,
      'Content-Length': String(blob.size),
      'Content-Disposition': disposition(served.inline && !download, attachment.filename ?? 'file'),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, max-age=300',
    },
  };
}
