import { and, eq, sql } from 'drizzle-orm';
import { conversations, messages } from '../../../db/schema';
import type { Services } from '../../ports';
import { rowsOf } from '../../lib/sql';
import { publishMessageCreated, publishMessageFailed } from '../conversations/events';
import { loadBotRuntime } from './bot-runtime';
import { replyToStoredMessage } from './engine';
import { storeReply } from './store';

/**
 * Widget and API questions are answered inside the request that stored them. A process that dies
 * between the two (a crash, a deploy, an isolate killed mid-stream) leaves a question nobody will
 * answer. The recovery finds them (a visitor message in a conversation the bot handles, with no
 * reply, older than a grace period) and queues one `chat-reply` job each: the bot answers late, and
 * the widget gets the answer on its event stream; when it cannot (the bot is off, the visitor has
 * written since, the job keeps failing) a system note marks the message as not answered, visible
 * in the inbox and the widget. Channel messages have their own reply job and are not touched here.
 */
/** Longer than any answer takes, so a question still being answered is never answered twice. */
export const UNANSWERED_AFTER_SECONDS = 120;
/** Older questions are stale: nobody waits for those answers any more. */
const LOOKBACK_HOURS = 24;
const BATCH = 500;

type MessageRow = typeof messages.$inferSelect;

const NOT_ANSWERED = {
  es: 'No hemos podido responder a este mensaje. Una persona del equipo lo revisará.',
  en: 'We could not answer this message. Someone from our team will look at it.',
};

/**
 * Visitor messages the bot should have answered and nobody did (no reply of any kind points to
 * them). Runs across organizations every sweep: the last day's visitor messages come from
 * `messages_user_created_idx` and each reply check from `messages_reply_to_idx`, never from a
 * scan of every message.
 */
export function unansweredQuery(olderThanSeconds: number) {
  return sql`select m.id from ${messages} m
        join ${conversations} c on c.id = m.conversation_id
        where m.role = 'user' and m.channel in ('web', 'api') and c.handoff = 'bot'
          and m.created_at < now() - make_interval(secs => ${olderThanSeconds})
          and m.created_at > now() - make_interval(hours => ${LOOKBACK_HOURS})
          and not exists (select 1 from ${messages} r where r.reply_to_id = m.id)
        order by m.created_at
        limit ${BATCH}`;
}

export async function findUnanswered(services: Pick<Services, 'db'>, olderThanSeconds = UNANSWERED_AFTER_SECONDS) {
  return rowsOf<{ id: string }>(services.db, unansweredQuery(olderThanSeconds));
}

/** Queues a reply job per unanswered question; the deduplication id keeps it to one per message. */
export async function recoverUnansweredMessages(services: Services, options: { olderThanSeconds?: number } = {}) {
  const rows = await findUnanswered(services, options.olderThanSeconds);
  for (const row of rows) {
    await services.queue.enqueue('chat-reply', { messageId: row.id });
  }
  return { queued: rows.length };
}

async function loadQuestion(services: Services, messageId: string) {
  const [row] = await services.db
    .select({ message: messages, botId: conversations.botId, handoff: conversations.handoff })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(and(eq(messages.id, messageId), eq(messages.role, 'user')))
    .limit(1);
  return row ?? null;
}

/** A later visitor message means the conversation moved on: a late answer to this one would confuse. */
async function hasLaterQuestion(services: Services, message: MessageRow) {
  const [later] = await rowsOf<{ id: string }>(
    services.db,
    sql`select id from ${messages} where conversation_id = ${message.conversationId} and role = 'user'
        and created_at > ${message.createdAt.toISOString()} limit 1`,
  );
  return Boolean(later);
}

/**
 * A system note answering the question: "not answered", in the bot's language. Stored once (a
 * question with any reply is never picked again) and announced like any message, plus
 * `message.failed` for the question itself.
 */
export async function markUnanswered(services: Services, message: MessageRow, reason: string, language?: string | null) {
  const [existing] = await services.db.select({ id: messages.id }).from(messages).where(eq(messages.replyToId, message.id)).limit(1);
  if (existing) return null;
  const note = await storeReply(services.db, {
    organizationId: message.organizationId,
    conversationId: message.conversationId,
    replyToId: message.id,
    role: 'system',
    content: NOT_ANSWERED[language === 'en' ? 'en' : 'es'],
    channel: message.channel,
    error: reason,
  });
  await publishMessageCreated(services, note);
  await publishMessageFailed(services, { ...message, error: reason });
  return note;
}

/** Job `chat-reply`: answers one recovered question late, or marks it not answered. Idempotent. */
export async function answerLate(services: Services, messageId: string) {
  const question = await loadQuestion(services, messageId);
  if (!question) return { outcome: 'skipped', reason: 'message not found' };
  // A person has the conversation: the question is theirs, and the inbox shows it already.
  if (question.handoff !== 'bot') return { outcome: 'skipped', reason: 'a person has the conversation' };
  const bot = await loadBotRuntime(services, question.botId);
  if (!bot || bot.status !== 'active') {
    await markUnanswered(services, question.message, 'The assistant stopped before answering and is not active any more', bot?.language);
    return { outcome: 'marked', reason: 'bot not active' };
  }
  if (await hasLaterQuestion(services, question.message)) {
    await markUnanswered(services, question.message, 'The assistant stopped before answering; the visitor wrote again since', bot.language);
    return { outcome: 'marked', reason: 'superseded' };
  }
  const reply = await replyToStoredMessage(services, bot, messageId, { late: true });
  return reply ? { outcome: 'answered', replyId: reply.id } : { outcome: 'skipped', reason: 'nobody answers' };
}

/** The last attempt of a `chat-reply` job failed: the question is marked, never left silent. */
export async function giveUpAnswer(services: Services, messageId: string, reason: string) {
  const question = await loadQuestion(services, messageId);
  if (!question) return;
  const bot = await loadBotRuntime(services, question.botId);
  await markUnanswered(services, question.message, reason, bot?.language);
}
