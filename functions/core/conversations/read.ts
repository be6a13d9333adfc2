import { and, asc, desc, eq, lt, ne, or, type SQL } from 'drizzle-orm';
import { contacts, conversations, messages } from '../../../db/schema';
import { inOrg } from '../../lib/tenancy';
import { decodeCursor, toPage } from '../../lib/pagination';
import type { Database } from '../../ports';
import { toPublicMessage } from '../chat/engine';

/** Conversations as the API shows them, newest activity first, with their contact. */
export async function listConversations(db: Database, organizationId: string, filters: { botId?: string; cursor?: string; limit: number }) {
  const after = decodeCursor(filters.cursor);
  const where: Array<SQL | undefined> = [
    filters.botId ? eq(conversations.botId, filters.botId) : undefined,
    // Playground chats are the team testing its bot, not customer conversations.
    ne(conversations.channel, 'playground'),
    after
      ? or(lt(conversations.createdAt, new Date(after.createdAt)), and(eq(conversations.createdAt, new Date(after.createdAt)), lt(conversations.id, after.id)))
      : undefined,
  ];
  const rows = await db
    .select({ conversation: conversations, contact: { id: contacts.id, name: contacts.name, email: contacts.email } })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(inOrg(conversations, organizationId, ...where))
    .orderBy(desc(conversations.createdAt), desc(conversations.id))
    .limit(filters.limit + 1);
  const { page, nextCursor } = toPage(rows.map((r) => ({ ...r, id: r.conversation.id, createdAt: r.conversation.createdAt })), filters.limit);
  return { data: page.map((r) => publicConversation(r.conversation, r.contact)), nextCursor };
}

export function publicConversation(c: typeof conversations.$inferSelect, contact: { id: string; name: string | null; email: string | null }) {
  return {
    id: c.id,
    botId: c.botId,
    channel: c.channel,
    status: c.status,
    priority: c.priority,
    handoff: c.handoff,
    assigneeId: c.assigneeId,
    tags: c.tags,
    rating: c.rating,
    feedback: c.feedback,
    messageCount: c.messageCount,
    lastMessageAt: c.lastMessageAt?.toISOString() ?? null,
    lastMessagePreview: c.lastMessagePreview,
    contact,
    createdAt: c.createdAt.toISOString(),
  };
}

export async function getConversation(db: Database, organizationId: string, id: string) {
  const [row] = await db
    .select({ conversation: conversations, contact: { id: contacts.id, name: contacts.name, email: contacts.email } })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(inOrg(conversations, organizationId, eq(conversations.id, id)))
    .limit(1);
  if (!row) return null;
  const rows = await db.select().from(messages).where(inOrg(messages, organizationId, eq(messages.conversationId, id))).orderBy(asc(messages.createdAt)).limit(1000);
  return { ...publicConversation(row.conversation, row.contact), messages: rows.map(toPublicMessage) };
}
