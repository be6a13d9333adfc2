import { aliasedTable, and, asc, desc, eq, gt, ilike, lt, or, sql, type SQL } from 'drizzle-orm';
import { bots, contacts, conversations, messages, users } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import { decodeCursor, toPage } from '../../lib/pagination';
import type { Database } from '../../ports';
import { toPublicMessage } from '../chat/public-message';
import { likePattern } from '../../lib/sql';
import { customerConversation } from './counted';
import type { ContactAttributes, MessageMetadata } from './json-columns';

/**
 * Reading the inbox: conversations with their contact, bot and assignee, filtered and ordered by
 * latest activity, and a conversation's messages as agents see them (notes and authors included).
 */
type ConversationRow = typeof conversations.$inferSelect;
type MessageRow = typeof messages.$inferSelect;

export interface InboxFilters {
  status?: ConversationRow['status'];
  channel?: ConversationRow['channel'];
  botId?: string;
  /** A user id, `me`, or `unassigned`. */
  assignee?: string;
  tag?: string;
  priority?: ConversationRow['priority'];
  handoff?: ConversationRow['handoff'];
  unread?: boolean;
  q?: string;
  cursor?: string;
  limit: number;
}

const contactColumns = { id: contacts.id, name: contacts.name, email: contacts.email, phone: contacts.phone, externalId: contacts.externalId, attributes: contacts.attributes };
const assignees = aliasedTable(users, 'assignee');

function filterConditions(filters: InboxFilters, userId: string | null): Array<SQL | undefined> {
  const assignee =
    filters.assignee === 'unassigned'
      ? sql`${conversations.assigneeId} is null`
      : filters.assignee === 'me'
        ? userId
          ? eq(conversations.assigneeId, userId)
          : sql`false`
        : filters.assignee
          ? eq(conversations.assigneeId, filters.assignee)
          : undefined;
  const q = filters.q?.trim();
  return [
    filters.status ? eq(conversations.status, filters.status) : undefined,
    filters.channel ? eq(conversations.channel, filters.channel) : undefined,
    filters.botId ? eq(conversations.botId, filters.botId) : undefined,
    assignee,
    filters.tag ? sql`${filters.tag} = any(${conversations.tags})` : undefined,
    filters.priority ? eq(conversations.priority, filters.priority) : undefined,
    filters.handoff ? eq(conversations.handoff, filters.handoff) : undefined,
    filters.unread === true ? gt(conversations.unreadCount, 0) : filters.unread === false ? eq(conversations.unreadCount, 0) : undefined,
    q
      ? or(
          ilike(contacts.name, likePattern(q)),
          ilike(contacts.email, likePattern(q)),
          ilike(contacts.phone, likePattern(q)),
          sql`exists (select 1 from ${messages} where ${messages.conversationId} = ${conversations.id} and ${messages.content} ilike ${likePattern(q)})`,
        )
      : undefined,
  ];
}

/** The inbox list: customer conversations with at least one message, latest activity first. */
export async function listInbox(db: Database, organizationId: string, filters: InboxFilters, userId: string | null) {
  const after = decodeCursor(filters.cursor);
  const rows = await db
    .select({
      conversation: conversations,
      contact: contactColumns,
      bot: { id: bots.id, name: bots.name },
      assignee: { id: assignees.id, name: assignees.name },
    })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .innerJoin(bots, eq(bots.id, conversations.botId))
    .leftJoin(assignees, eq(assignees.id, conversations.assigneeId))
    .where(
      inOrg(
        conversations,
        organizationId,
        customerConversation(),
        ...filterConditions(filters, userId),
        after
          ? or(
              lt(conversations.lastMessageAt, new Date(after.createdAt)),
              and(eq(conversations.lastMessageAt, new Date(after.createdAt)), lt(conversations.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(conversations.lastMessageAt), desc(conversations.id))
    .limit(filters.limit + 1);
  const { page, nextCursor } = toPage(
    rows.map((r) => ({ ...r, id: r.conversation.id, createdAt: r.conversation.lastMessageAt! })),
    filters.limit,
  );
  return { data: page.map((r) => publicConversation(r.conversation, r.contact, r.bot, r.assignee)), nextCursor };
}

/** Counts for the inbox's folders and the notification bell, in one query. */
export async function inboxCounts(db: Database, organizationId: string, userId: string | null) {
  const [row] = await db
    .select({
      open: sql<number>`count(*) filter (where ${conversations.status} = 'open')`.mapWith(Number),
      pending: sql<number>`count(*) filter (where ${conversations.status} = 'pending')`.mapWith(Number),
      unread: sql<number>`count(*) filter (where ${conversations.unreadCount} > 0 and ${conversations.status} in ('open', 'pending'))`.mapWith(Number),
      handoffRequested: sql<number>`count(*) filter (where ${conversations.handoff} = 'requested' and ${conversations.status} in ('open', 'pending'))`.mapWith(Number),
      mine: userId
        ? sql<number>`count(*) filter (where ${conversations.assigneeId} = ${userId} and ${conversations.status} in ('open', 'pending'))`.mapWith(Number)
        : sql<number>`0`.mapWith(Number),
      unassigned: sql<number>`count(*) filter (where ${conversations.assigneeId} is null and ${conversations.status} in ('open', 'pending'))`.mapWith(Number),
    })
    .from(conversations)
    .where(inOrg(conversations, organizationId, customerConversation()));
  return row;
}

export function publicConversation(
  c: ConversationRow,
  contact: { id: string; name: string | null; email: string | null; phone?: string | null; externalId?: string; attributes?: Record<string, unknown> },
  bot?: { id: string; name: string } | null,
  assignee?: { id: string; name: string } | null,
) {
  return {
    id: c.id,
    botId: c.botId,
    bot: bot ?? null,
    channel: c.channel,
    status: c.status,
    priority: c.priority,
    handoff: c.handoff,
    handoffReason: c.handoffReason,
    assigneeId: c.assigneeId,
    assignee: assignee?.id ? assignee : null,
    tags: c.tags,
    rating: c.rating,
    feedback: c.feedback,
    unreadCount: c.unreadCount,
    messageCount: c.messageCount,
    lastMessageAt: c.lastMessageAt?.toISOString() ?? null,
    lastMessagePreview: c.lastMessagePreview,
    firstResponseAt: c.firstResponseAt?.toISOString() ?? null,
    handedOffAt: c.handedOffAt?.toISOString() ?? null,
    resolvedAt: c.resolvedAt?.toISOString() ?? null,
    contact: {
      id: contact.id,
      name: contact.name,
      email: contact.email,
      phone: contact.phone ?? null,
      ...(contact.externalId !== undefined ? { externalId: contact.externalId } : {}),
      ...(contact.attributes !== undefined ? { attributes: contact.attributes as ContactAttributes } : {}),
    },
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export type PublicConversation = ReturnType<typeof publicConversation>;

/** One conversation (org-scoped) with contact, bot and assignee; null when not in this org. */
export async function findConversation(db: Database, organizationId: string, id: string) {
  const [row] = await db
    .select({
      conversation: conversations,
      contact: contactColumns,
      bot: { id: bots.id, name: bots.name },
      assignee: { id: assignees.id, name: assignees.name },
    })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .innerJoin(bots, eq(bots.id, conversations.botId))
    .leftJoin(assignees, eq(assignees.id, conversations.assigneeId))
    .where(inOrg(conversations, organizationId, eq(conversations.id, id)))
    .limit(1);
  return row ? { row: row.conversation, public: publicConversation(row.conversation, row.contact, row.bot, row.assignee) } : null;
}

// The JSON columns are typed `Record<string, unknown>` in the tables; json-columns.ts lists every
// key their writers put there, so the inbox reads them with that shape.
export function inboxMessage(row: MessageRow, authorName: string | null = null) {
  // The inbox reads the files in full from `metadata.attachments`; the public summary would repeat them.
  const { attachments: _summary, ...message } = toPublicMessage(row);
  return {
    ...message,
    contentType: row.contentType,
    metadata: row.metadata as MessageMetadata,
    channel: row.channel,
    deliveryStatus: row.deliveryStatus,
    error: row.error,
    author: row.authorUserId ? { id: row.authorUserId, name: authorName } : null,
  };
}

/** Messages with their author's name (agents' replies and notes), for the inbox. */
function messagesWithAuthors(db: Database) {
  return db.select({ message: messages, authorName: users.name }).from(messages).leftJoin(users, eq(users.id, messages.authorUserId));
}

/** Messages oldest first; `cursor` pages back to older ones (newest page first). */
export async function listMessages(db: Database, organizationId: string, conversationId: string, options: { cursor?: string; limit: number }) {
  const before = decodeCursor(options.cursor);
  const rows = await messagesWithAuthors(db)
    .where(
      inOrg(
        messages,
        organizationId,
        eq(messages.conversationId, conversationId),
        before
          ? or(lt(messages.createdAt, new Date(before.createdAt)), and(eq(messages.createdAt, new Date(before.createdAt)), lt(messages.id, before.id)))
          : undefined,
      ),
    )
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(options.limit + 1);
  const { page, nextCursor } = toPage(rows.map((r) => ({ ...r, id: r.message.id, createdAt: r.message.createdAt })), options.limit);
  return { data: page.reverse().map((r) => inboxMessage(r.message, r.authorName)), nextCursor };
}

/** A conversation's messages (404 when it is not in this org), oldest first, paged back. */
export async function listConversationMessages(db: Database, organizationId: string, conversationId: string, options: { cursor?: string; limit: number }) {
  const [exists] = await db.select({ id: conversations.id }).from(conversations).where(inOrg(conversations, organizationId, eq(conversations.id, conversationId)));
  if (!exists) throw new ApiError('not_found', 'Conversation not found');
  return listMessages(db, organizationId, conversationId, options);
}

/** A message an agent just stored, as the inbox shows it (with the author's name). */
export async function agentMessageView(db: Database, row: MessageRow, userId: string | null) {
  if (!userId) return inboxMessage(row, null);
  const [author] = await db.select({ name: users.name }).from(users).where(eq(users.id, userId));
  return inboxMessage(row, author?.name ?? null);
}

/** The API's conversation detail: the conversation and (up to 1000 of) its messages. */
export async function getConversation(db: Database, organizationId: string, id: string) {
  const found = await findConversation(db, organizationId, id);
  if (!found) return null;
  const rows = await messagesWithAuthors(db)
    .where(inOrg(messages, organizationId, eq(messages.conversationId, id)))
    .orderBy(asc(messages.createdAt))
    .limit(1000);
  return { ...found.public, messages: rows.map((r) => inboxMessage(r.message, r.authorName)) };
}

/** A bot's conversations (newest first), as the chatbot pages list them. */
export async function listBotConversations(db: Database, organizationId: string, botId: string, options: { cursor?: string; limit: number }) {
  const after = decodeCursor(options.cursor);
  const rows = await db
    .select({ conversation: conversations, contact: contactColumns })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(
      inOrg(
        conversations,
        organizationId,
        eq(conversations.botId, botId),
        customerConversation(),
        after
          ? or(lt(conversations.createdAt, new Date(after.createdAt)), and(eq(conversations.createdAt, new Date(after.createdAt)), lt(conversations.id, after.id)))
          : undefined,
      ),
    )
    .orderBy(desc(conversations.createdAt), desc(conversations.id))
    .limit(options.limit + 1);
  const { page, nextCursor } = toPage(rows.map((r) => ({ ...r, id: r.conversation.id, createdAt: r.conversation.createdAt })), options.limit);
  return { data: page.map((r) => publicConversation(r.conversation, r.contact)), nextCursor };
}
