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
 * The conversation an end user continues, cached per (organization, `model` as sent, `user`):
 * the hot path then reads KV only, in the round trip that resolves the slug. An entry holds the
 * organization's invalidation token read before its lookup; every path that deletes, moves or
 * adds an API conversation (`forgetApiConversations`) replaces the token, so older entries stop
 * counting. Closing one needs nothing: the engine reopens the same conversation either way.
 */
const conversationKey = (organizationId: string, model: string, user: string) => `api-conversation:${organizationId}:${model}:${user}`;
const invalidationKey = (organizationId: string) => `api-conversations-token:${organizationId}`;
const CONVERSATION_TTL_SECONDS = 600;
/**
 * Longer than an entry lives: once the token expires, entries made before any invalidation (token
 * absent) are gone too. A random token, never a counter, so no value comes back after expiry.
 */
const INVALIDATION_TTL_SECONDS = 2 * CONVERSATION_TTL_SECONDS;

interface CachedConversation {
  conversationId: string;
  botId: string;
  token: string | null;
}

/** Entries made before now stop counting: call after deleting, moving or adding an organization's API conversations. */
export async function forgetApiConversations(services: Pick<Services, 'kv'>, organizationId: string) {
  await services.kv.set(invalidationKey(organizationId), randomToken(12), { ttlSeconds: INVALIDATION_TTL_SECONDS });
}

const usableBot = (bot: BotRuntime | null, organizationId: string): bot is BotRuntime =>
  bot !== null && bot.organizationId === organizationId && bot.status === 'active';

/**
 * Only deployed (active) bots answer through the API, as on the widget. A slug's bot id is cached
 * (the hot path then reads KV only); the loaded bot must still carry that slug, so a renamed bot
 * is looked up again rather than answered under its old name.
 */
async function resolveApiBot(services: Pick<Services, 'db' | 'kv'>, organizationId: string, model: string, cachedId: string | null): Promise<BotRuntime | null> {
  if (UUID.test(model)) {
    const bot = await loadBotRuntime(services, model);
    // Another organization's bot is as unknown as a missing one.
    return usableBot(bot, organizationId) ? bot : null;
  }
  if (cachedId) {
    const bot = await loadBotRuntime(services, cachedId);
    if (usableBot(bot, organizationId) && bot.slug === model) return bot;
  }
  const [row] = await services.db
    .select({ id: bots.id })
    .from(bots)
    .where(inOrg(bots, organizationId, eq(bots.slug, model)))
    .limit(1);
  if (!row) return null;
  await services.kv.set(slugKey(organizationId, model), row.id, { ttlSeconds: SLUG_TTL_SECONDS });
  const bot = await loadBotRuntime(services, row.id);
  return usableBot(bot, organizationId) ? bot : null;
}

export interface ApiChatTarget {
  bot: BotRuntime;
  conversationId: string;
}

/**
 * The bot a `model` names and the conversation the end user (`user`) continues with it; null
 * when no usable bot has that name. The slug, the cached conversation and the invalidation token
 * come in one KV round trip.
 */
export async function findApiChat(
  services: Pick<Services, 'db' | 'kv'>,
  organizationId: string,
  model: string,
  user: string | null,
  apiKeyId: string,
): Promise<ApiChatTarget | null> {
  const bySlug = !UUID.test(model);
  const keys = [invalidationKey(organizationId), ...(user ? [conversationKey(organizationId, model, user)] : []), ...(bySlug ? [slugKey(organizationId, model)] : [])];
  const values = await services.kv.getMany(keys);
  const token = (values[0] as string | null) ?? null;
  const entry = user ? (values[1] as CachedConversation | null) : null;
  const bot = await resolveApiBot(services, organizationId, model, bySlug ? ((values.at(-1) as string | null) ?? null) : null);
  if (!bot) return null;
  if (entry && entry.botId === bot.id && entry.token === token) return { bot, conversationId: entry.conversationId };
  const conversationId = await apiConversation(services.db, bot, user, apiKeyId);
  if (user) {
    const fresh: CachedConversation = { conversationId, botId: bot.id, token };
    await services.kv.set(conversationKey(organizationId, model, user), fresh, { ttlSeconds: CONVERSATION_TTL_SECONDS });
  }
  return { bot, conversationId };
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
async function apiConversation(db: Database, bot: BotRuntime, user: string | null, apiKeyId: string): Promise<string> {
  if (user) {
    // The hot path only reads (a write per turn costs more than the answer itself): the contact
    // and its latest conversation with this bot in one round trip.
    // A contact merged into another (contacts/merge.ts) stays the channel identity: the person
    // continues on the kept contact, whose conversations now include the merged one's.
    const [found] = await rowsOf<{ contact_id: string; conversation_id: string | null }>(
      db,
      sql`select k.id as contact_id,
          (select v.id from ${conversations} v
            where v.bot_id = ${bot.id} and v.contact_id = k.id and v.channel = 'api'
            order by v.created_at desc limit 1) as conversation_id
        from ${contacts} c cross join lateral (select coalesce(c.merged_into_id, c.id) as id) k
        where c.organization_id = ${bot.organizationId} and c.channel = 'api' and c.external_id = ${user}`,
    );
    if (found?.conversation_id) return found.conversation_id;
    if (found) return startConversation(db, bot, found.contact_id, apiKeyId);
  }
  // The same contact as POST /conversations with `contact.externalId`: the caller's id for the person.
  const externalId = user ?? `api:${randomToken(12)}`;
  const [contact] = await db
    .insert(contacts)
    .values({ organizationId: bot.organizationId, channel: 'api', externalId, name: user, lastSeenAt: new Date() })
    .onConflictDoUpdate({ target: [contacts.organizationId, contacts.channel, contacts.externalId], set: { lastSeenAt: sql`now()` } })
    .returning({ id: contacts.id });
  return startConversation(db, bot, contact.id, apiKeyId);
}

async function startConversation(db: Database, bot: BotRuntime, contactId: string, apiKeyId: string) {
  const [created] = await db
    .insert(conversations)
    .values({ organizationId: bot.organizationId, botId: bot.id, contactId, channel: 'api', metadata: { apiKeyId } })
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
