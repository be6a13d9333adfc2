import { visitorMessage } from '../chat/widget-visitor';
import type { MessageEventData } from '../conversations/events';
import type { Projection } from './hub';

/**
 * What each kind of client sees of the stored events. Named, so the code serving a stream (a
 * Durable Object at the edge) can apply them from a plain request field.
 */
export const STREAM_VIEWS = {
  /** The dashboard: every event as it is, named by its type. */
  organization: (event) => ({ event: event.type, data: event }),
  /** The widget: agents' replies and system notes, and status changes, in the visitor's shape. */
  visitor: (event) => {
    if (event.type === 'message.created') {
      const { message } = event.data as MessageEventData;
      if (message.role !== 'agent' && message.role !== 'system') return null;
      return { event: 'message', data: { ...visitorMessage(message), ...(message.author ? { author: message.author } : {}) } };
    }
    if (event.type === 'conversation.updated') {
      const data = event.data as { conversation?: { status?: string; handoff?: string }; changes?: string[] };
      const conversation = data.conversation ?? {};
      if (!conversation.status && !conversation.handoff) return null;
      // `changes` lets the widget tell "the assistant is back" from any other update.
      return { event: 'status', data: { status: conversation.status ?? null, handoff: conversation.handoff ?? null, changes: data.changes ?? [] } };
    }
    return null;
  },
} satisfies Record<string, Projection>;

export type StreamView = keyof typeof STREAM_VIEWS;

export function isStreamView(name: string | null | undefined): name is StreamView {
  return name === 'organization' || name === 'visitor';
}
