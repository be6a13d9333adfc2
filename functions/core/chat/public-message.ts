import type { messages, MessageSource } from '../../../db/schema';

/**
 * A stored message as API clients, the widget and event subscribers see it. Its own module so
 * the conversation events (core/conversations/events.ts) need not import the chat engine, which
 * publishes them.
 */
type MessageRow = typeof messages.$inferSelect;

export interface PublicSource {
  title: string;
  url?: string;
  documentId: string;
  chunkId: string;
  score: number;
  page?: number;
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
}

export function toPublicMessage(row: MessageRow): PublicMessage {
  return {
    id: row.id,
    role: row.role,
    content: row.content,
    createdAt: row.createdAt.toISOString(),
    sources: (row.sources as Array<MessageSource & { page?: number }>).map(publicSource),
    feedback: row.feedback ?? null,
    model: row.model,
    latencyMs: row.latencyMs,
    timeToFirstTokenMs: row.timeToFirstTokenMs,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    isFallback: row.isFallback,
  };
}

export function publicSource(s: MessageSource & { page?: number }): PublicSource {
  return { title: s.title ?? '', ...(s.url ? { url: s.url } : {}), documentId: s.documentId, chunkId: s.chunkId, score: s.score, ...(s.page ? { page: s.page } : {}) };
}
