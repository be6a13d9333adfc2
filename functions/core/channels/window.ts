import { and, eq, sql } from 'drizzle-orm';
import { type conversations, messages } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import type { Services } from '../../ports';

/**
 * WhatsApp's 24-hour customer service window for one conversation: free text is refused while it
 * is closed (WhatsApp would refuse it too, later and less clearly); an approved template
 * (conversation-templates.ts) is the way back in.
 */

export interface CustomerWindow {
  /** Whether free text may be sent now (always true off WhatsApp). */
  open: boolean;
  lastCustomerMessageAt: string | null;
  /** When free text stops being allowed (null when there is no customer message yet). */
  closesAt: string | null;
}

type ConversationRow = typeof conversations.$inferSelect;

export async function customerWindow(services: Pick<Services, 'db' | 'config'>, conversation: Pick<ConversationRow, 'id' | 'channel'>): Promise<CustomerWindow> {
  const [row] = await services.db
    .select({ at: sql<string | null>`max(${messages.createdAt})` })
    .from(messages)
    .where(and(eq(messages.conversationId, conversation.id), eq(messages.role, 'user')));
  const last = row?.at ? new Date(row.at) : null;
  const closesAt = last ? new Date(last.getTime() + services.config.WHATSAPP_WINDOW_SECONDS * 1000) : null;
  const open = conversation.channel !== 'whatsapp' || (closesAt !== null && closesAt.getTime() > Date.now());
  return { open, lastCustomerMessageAt: last?.toISOString() ?? null, closesAt: closesAt?.toISOString() ?? null };
}

/** Agents' free text on a WhatsApp conversation whose window closed: a clear 409 instead of a failed send. */
export async function assertFreeTextAllowed(services: Pick<Services, 'db' | 'config'>, conversation: Pick<ConversationRow, 'id' | 'channel'>) {
  if (conversation.channel !== 'whatsapp') return;
  const window = await customerWindow(services, conversation);
  if (window.open) return;
  throw new ApiError(
    'messaging_window_closed',
    'WhatsApp allows free text only within 24 hours of the customer\u2019s last message. Send an approved template instead (POST /api/v1/conversations/{id}/whatsapp-templates); the window opens again when the customer answers.',
    { details: { lastCustomerMessageAt: window.lastCustomerMessageAt, closesAt: window.closesAt } },
  );
}

