import { and, asc, desc, eq, gt, lt, sql } from 'drizzle-orm';
import { bots, contacts, conversations, messages } from '../../../db/schema';
import { randomToken } from '../../lib/crypto';
import { rowsOf } from '../../lib/sql';
import { inOrg } from '../../lib/tenancy';
import type { Database, Services } from '../../ports';
import { loadBotRuntime, type BotRuntime } from './bot-runtime';

/**
 * The OpenAI-compatible API's side of a chat (routes/openai.ts): which bot a `model` names, which
 * conversation an end user (`user`) continues, and what to answer while a person holds it.
 * The turn itself is the engine's (`chatTurn` with channel `api`), as for every other channel.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const slugKey = (organizationId: string, slug: string) => `api-bot-slug:${organizationId}:${slug}`;
const SLUG_TTL_SECONDS = 300;

/**
 * Only deployed (active) bots answer through the API, as on the widget. A slug's bot id is cached
 * (the hot path then reads KV only); the loaded bot must still carry that slug, so a renamed bot
 * is looked up again rather than answered under its old name.
 */
export async function findApiBot(services: Pick<Services, 'db' | 'kv'>, organizationId: string, model: string): Promise<BotRuntime | null> {
  const usable = (bot: BotRuntime | null) => bot && bot.organizationId === organizationId && bot.status === 'active';
  if (UUID.test(model)) {
    const bot = await loadBotRuntime(services, model);
    // Another organization's bot is as unknown as a missing one.
    return usable(bot) ? bot : null;
  }
  const cachedId = await services.kv.get<string>(slugKey(organizationId, model));
  if (cachedId) {
    const bot = await loadBotRuntime(services, cachedId);
    if (usable(bot) && bot!.slug === model) return bot;
  }
  const [row] = await services.db
    .select({ id: bots.id })
    .from(bots)
    .where(inOrg(bots, organizationId, eq(bots.slug, model)))
    .limit(1);
  if (!row) return null;
  await services.kv.set(slugKey(organizationId, model), row.id, { ttlSeconds: SLUG_TTL_SECONDS });
  const bot = await loadBotRuntime(services, row.id);
  return usable(bot) ? bot : null;
}

export async function listApiBots(db: Database, organizationId: string) {
  return db
    .select({ id: bots.id, slug: bots.slug, name: bots.name, createdAt: bots.createdAt })
    .from(bots)
    .where(inOrg(bots, organizationId, eq(bots.status, 'active')))
    .orderBy(asc(bots.createdAt));
}

export const MAX_API_USER_CHARS = 200;

/**
 * The conversation an end user continues with a bot: one per (bot, user), reopened by the engine
 * when it was resolved. Without a user every request starts a conversation of its own.
 */
export async function apiConversation(db: Database, bot: BotRuntime, user: string | null, apiKeyId: string): Promise<string> {
  if (user) {
    // The hot path only reads (a write per turn costs more than the answer itself): the contact
    // and its latest conversation with this bot in one round trip.
    const [found] = await rowsOf<{ contact_id: string; conversation_id: string | null }>(
      db,
      sql`select c.id as contact_id,
          (select v.id from ${conversations} v
            where v.bot_id = ${bot.id} and v.contact_id = c.id and v.channel = 'api'
            order by v.created_at desc limit 1) as conversation_id
        from ${contacts} c
        where c.organization_id = ${bot.organizationId} and c.channel = 'api' and c.external_id = ${user}`,
    );
    if (found?.conversation_id) return found.conversation_id;
  }
  // The same contact as POST /conversations with `contact.externalId`: the caller's id for the person.
  const externalId = user ?? `api:${randomToken(12)}`;
  const [contact] = await db
    .insert(contacts)
    .values({ organizationId: bot.organizationId, channel: 'api', externalId, name: user, lastSeenAt: new Date() })
    .onConflictDoUpdate({ target: [contacts.organizationId, contacts.channel, contacts.externalId], set: { lastSeenAt: sql`now()` } })
    .returning({ id: contacts.id });
  const [created] = await db
    .insert(conversations)
    .values({ organizationId: bot.organizationId, botId: bot.id, contactId: contact.id, channel: 'api', metadata: { apiKeyId } })
    .returning({ id: conversations.id });
  return created.id;
}

/**
 * While a person holds the conversation the bot is silent: the API client gets what the team
 * wrote since the end user's previous message, if anything.
 */
export async function agentRepliesSince(db: Database, conversationId: string, userMessageId: string): Promise<string[]> {
  const [current] = await db.select({ createdAt: messages.createdAt }).from(messages).where(eq(messages.id, userMessageId)).limit(1);
  if (!current) return [];
  const [previous] = await db
    .select({ createdAt: messages.createdAt })
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.role, 'user'), lt(messages.createdAt, current.createdAt)))
    .orderBy(desc(messages.createdAt))
    .limit(1);
  const rows = await db
    .select({ content: messages.content })
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, conversationId),
        eq(messages.role, 'agent'),
        gt(messages.createdAt, previous?.createdAt ?? new Date(0)),
      ),
    )
    .orderBy(asc(messages.createdAt));
  return rows.map((row) => row.content);
}

export async function handoffState(db: Database, conversationId: string) {
  const [row] = await db.select({ handoff: conversations.handoff }).from(conversations).where(eq(conversations.id, conversationId)).limit(1);
  return row?.handoff ?? 'bot';
}

export const HUMAN_HOLDS_MESSAGE = {
  es: 'Una persona del equipo está atendiendo esta conversación y responderá aquí en breve.',
  en: 'A person from the team is handling this conversation and will reply here shortly.',
};
