import type { messages } from '../../../db/schema';
import { attachmentsOf, type MessageAttachment } from '../channels/attachments';
import type { QuickReply } from './handoff';
import type { StoredSource } from './sources';

/**
 * A stored message as API clients, the widget and event subscribers see it. Its own module so
 * the conversation events (core/conversations/events.ts) need not import the chat engine, which
 * publishes them.
 */
type MessageRow = typeof messages.$inferSelect;

export interface PublicSource {
  /** A human title: the document's title or heading, never a file name. */
  title: string;
  /** The section the passage is under, when it is not the title itself. */
  section?: string;
  /** Where to read it: the page with its anchor, or a PDF's page; only when it is public. */
  url?: string;
  documentId: string;
  chunkId: string;
  score: number;
  page?: number;
  /** False for passages retrieved but not used by the answer (visitors see only the cited ones). */
  cited?: boolean;
}

export interface PublicMessage {
  id: string;
  role: MessageRow['role'];
  content: string;
  createdAt: string;
  sources: PublicSource[];
  feedback: number | null;
  model?: string | null;
  latencyMs?: number | null;
  timeToFirstTokenMs?: number | null;
  inputTokens?: number | null;
  outputTokens?: number | null;
  isFallback?: boolean;
  /** Buttons under the message (the offer of a person); a tap answers with the button's id. */
  quickReplies?: QuickReply[];
  /** The files it carries, in order (the index is the file's address), without where they are stored. */
  attachments?: PublicAttachment[];
}

export type PublicAttachment = Pick<MessageAttachment, 'kind' | 'status' | 'mimeType' | 'size' | 'filename'>;

export function toPublicMessage(row: MessageRow): PublicMessage {
  return {
    id: row.id,
    role: row.role,
    content: row.content,
    createdAt: row.createdAt.toISOString(),
    sources: (row.sources as StoredSource[]).map(publicSource),
    feedback: row.feedback ?? null,
    model: row.model,
    latencyMs: row.latencyMs,
    timeToFirstTokenMs: row.timeToFirstTokenMs,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    isFallback: row.isFallback,
    ...(quickRepliesOf(row.metadata) ? { quickReplies: quickRepliesOf(row.metadata) } : {}),
    ...publicAttachments(row.metadata),
  };
}

/** Blob keys (which name the organization) and transcripts stay inside; the rest says what to show. */
function publicAttachments(metadata: Record<string, unknown> | null): { attachments?: PublicAttachment[] } {
  const list = attachmentsOf(metadata);
  if (list.length === 0) return {};
  return { attachments: list.map(({ kind, status, mimeType, size, filename }) => ({ kind, status, mimeType, size, filename })) };
}

function quickRepliesOf(metadata: Record<string, unknown> | null): QuickReply[] | undefined {
  const replies = metadata?.quickReplies;
  return Array.isArray(replies) && replies.length > 0 ? (replies as QuickReply[]) : undefined;
}

export function publicSource(s: StoredSource): PublicSource {
  return {
    title: s.title ?? '',
    ...(s.section ? { section: s.section } : {}),
    ...(s.url ? { url: s.url } : {}),
    documentId: s.documentId,
    chunkId: s.chunkId,
    score: s.score,
    ...(s.page ? { page: s.page } : {}),
    ...(s.cited !== undefined ? { cited: s.cited } : {}),
  };
}
