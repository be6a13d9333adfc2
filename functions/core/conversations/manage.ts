import { and, eq, sql } from 'drizzle-orm';
import { bots, conversations, memberships, users } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import type { Services } from '../../ports';
import { storeReply } from '../chat/store';
import { assertFreeTextAllowed } from '../channels/window';
import { publishEvent } from '../events/publish';
import { publishConversationUpdated, publishMessageCreated } from './events';
import { findConversation } from './read';
import { forgetApiConversations } from '../chat/api-chat';

/**
 * What agents do to a conversation: status, assignee, priority, tags, taking it from the bot and
 * giving it back, replying and writing private notes, marking it read. Every change publishes a
 * `conversation.updated` event with the names of what changed.
 */
type ConversationRow = typeof conversations.$inferSelect;

export interface ConversationChanges {
  status?: ConversationRow['status'];
  priority?: ConversationRow['priority'];
  assigneeId?: string | null;
  tags?: string[];
  /** `human`: an agent takes over (the bot goes silent); `bot`: handed back to the bot. */
  handoff?: 'human' | 'bot';
}

interface Actor {
  organizationId: string;
  userId: string | null;
}

export const PLATFORM_CHANNELS = new Set(['whatsapp', 'messenger', 'instagram', 'telegram', 'email', 'slack', 'discord']);

async function requireConversation(services: Services, organizationId: string, id: string) {
  const found = await findConversation(services.db, organizationId, id);
  if (!found) throw new ApiError('not_found', 'Conversation not found');
  return found;
}

async function requireMember(services: Services, organizationId: string, userId: string) {
  const [member] = await services.db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.userId, userId)));
  if (!member) {
    throw new ApiError('validation_failed', 'The assignee is not a member of this organization', {
      details: [{ path: 'assigneeId', message: 'Not a member of this organization', code: 'custom' }],
    });
  }
}

function normalizeTags(tags: string[]) {
  return [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))].slice(0, 20);
}

/** Applies the changes that differ from the current values; returns the updated conversation. */
export async function updateConversation(
  services: Services,
  actor: Actor,
  id: string,
  changes: ConversationChanges,
  /** The conversation as the caller already loaded it, to save a second read. */
  loaded?: Awaited<ReturnType<typeof requireConversation>>,
) {
  const current = loaded ?? (await requireConversation(services, actor.organizationId, id));
  if (changes.assigneeId) await requireMember(services, actor.organizationId, changes.assigneeId);
  const set: Partial<Record<keyof ConversationRow, unknown>> = {};
  const changed: string[] = [];
  const row = current.row;

  if (changes.status && changes.status !== row.status) {
    set.status = changes.status;
    changed.push('status');
    if (changes.status === 'resolved' || changes.status === 'closed') {
      set.resolvedAt = new Date();
      // A resolved conversation goes back to the bot: the visitor's next message reopens it and gets an answer.
      if (row.handoff !== 'bot' && changes.handoff === undefined) {
        set.handoff = 'bot';
        changed.push('handoff');
      }
    } else set.resolvedAt = null;
  }
  if (changes.priority && changes.priority !== row.priority) {
    set.priority = changes.priority;
    changed.push('priority');
  }
  if (changes.assigneeId !== undefined && changes.assigneeId !== row.assigneeId) {
    set.assigneeId = changes.assigneeId;
    changed.push('assignee');
  }
  if (changes.tags) {
    const tags = normalizeTags(changes.tags);
    if (tags.join('\n') !== row.tags.join('\n')) {
      set.tags = tags;
      changed.push('tags');
    }
  }
  if (changes.handoff && changes.handoff !== row.handoff) {
    set.handoff = changes.handoff;
    changed.push('handoff');
    if (changes.handoff === 'human') {
      set.handedOffAt = row.handedOffAt ?? new Date();
      set.handoffReason = row.handoffReason ?? 'agent';
      if (!row.assigneeId && changes.assigneeId === undefined && actor.userId) {
        set.assigneeId = actor.userId;
        changed.push('assignee');
      }
      if (row.status === 'resolved' || row.status === 'closed') {
        set.status = 'open';
        set.resolvedAt = null;
        changed.push('status');
      }
    }
  }
  if (changed.length === 0) return current.public;

  await services.db
    .update(conversations)
    .set(set as Partial<typeof conversations.$inferInsert>)
    .where(inOrg(conversations, actor.organizationId, eq(conversations.id, id)));
  const updated = (await findConversation(services.db, actor.organizationId, id))!.public;
  await publishConversationUpdated(services, actor.organizationId, updated, [...new Set(changed)]);
  if (set.handoff === 'human' && actor.userId) await announceAgentJoined(services, row, actor.userId);
  return updated;
}

const JOINED = { es: '{name} se ha unido a la conversación.', en: '{name} joined the conversation.' };

/** Tells the visitor a person is now answering (a system notice they see live in the widget). */
async function announceAgentJoined(services: Services, conversation: ConversationRow, userId: string) {
  const [who] = await services.db
    .select({ name: users.name, language: bots.language })
    .from(users)
    .innerJoin(bots, eq(bots.id, conversation.botId))
    .where(eq(users.id, userId));
  if (!who) return;
  const text = (who.language === 'en' ? JOINED.en : JOINED.es).replace('{name}', who.name.split(' ')[0] ?? who.name);
  const notice = await storeReply(services.db, {
    organizationId: conversation.organizationId,
    conversationId: conversation.id,
    role: 'system',
    content: text,
    channel: conversation.channel,
    authorUserId: userId,
  });
  await publishMessageCreated(services, notice);
}

export async function markConversationRead(services: Services, organizationId: string, id: string) {
  const [row] = await services.db
    .update(conversations)
    .set({ unreadCount: 0, updatedAt: sql`${conversations.updatedAt}` })
    .where(inOrg(conversations, organizationId, eq(conversations.id, id)))
    .returning({ id: conversations.id });
  if (!row) throw new ApiError('not_found', 'Conversation not found');
  // Only the dashboards care that someone read it: no webhook for this one.
  await publishEvent(services, organizationId, 'conversation.updated', { conversationId: id, conversation: { id, unreadCount: 0 }, changes: ['read'] }, { webhooks: false });
}

export async function deleteConversation(services: Services, organizationId: string, id: string) {
  const [row] = await services.db
    .delete(conversations)
    .where(inOrg(conversations, organizationId, eq(conversations.id, id)))
    .returning({ id: conversations.id });
  if (!row) throw new ApiError('not_found', 'Conversation not found');
  // An API end user's next message starts a new conversation rather than one that is gone.
  await forgetApiConversations(services, organizationId);
}

/**
 * An agent's reply (reaches the visitor live: the widget's stream, or the platform through the
 * `send-channel-message` job) or a private note (only the team sees it). Replying takes the
 * conversation from the bot, so the visitor never gets two answers to one question.
 */
export async function postAgentMessage(
  services: Services,
  actor: Actor,
  id: string,
  input: { content: string; private?: boolean; id?: string; contentType?: string; metadata?: Record<string, unknown> },
) {
  const found = await requireConversation(services, actor.organizationId, id);
  const { row } = found;
  const isNote = input.private === true;
  if (!isNote) await assertFreeTextAllowed(services, row);
  if (!isNote && row.handoff !== 'human') await updateConversation(services, actor, id, { handoff: 'human' }, found);
  const platform = PLATFORM_CHANNELS.has(row.channel);
  const stored = await storeReply(services.db, {
    organizationId: actor.organizationId,
    conversationId: id,
    role: isNote ? 'note' : 'agent',
    content: input.content,
    // An agent's file (core/channels/media-outgoing.ts) brings its id, kind and attachment list.
    ...(input.id ? { id: input.id } : {}),
    ...(input.contentType ? { contentType: input.contentType } : {}),
    ...(input.metadata ? { metadata: input.metadata } : {}),
    channel: row.channel,
    authorUserId: actor.userId,
    deliveryStatus: !isNote && platform ? 'pending' : null,
  });
  await publishMessageCreated(services, stored);
  if (!isNote && platform) await services.queue.enqueue('send-channel-message', { messageId: stored.id }, { deduplicationId: `send:${stored.id}` });
  return stored;
}
