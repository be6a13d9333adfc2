import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { contacts, conversations, messages, users } from '../../../db/schema';
import { decryptSecret, randomToken, timingSafeEqual } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';
import type { Database, Services } from '../../ports';
import { firstName, publishConversationUpdated } from '../conversations/events';
import type { BotRuntime } from './bot-runtime';
import type { ChatEvent } from './engine';
import { toPublicMessage, type PublicMessage, type PublicSource } from './public-message';
import { identityHash, signWidgetSession, verifyWidgetSession, type WidgetSession } from './widget-session';

/** What a visitor sees of a source: the cited ones only (older answers, stored before citing was tracked, show all). */
export function visitorSources(sources: PublicSource[]) {
  return sources.filter((source) => source.cited !== false).map(({ cited: _cited, ...source }) => source);
}

/** The messages a visitor sees (never private notes or system records), and whose files they may read. */
export const VISITOR_ROLES: Array<(typeof messages.$inferSelect)['role']> = ['user', 'assistant', 'agent'];

/** A message as the widget shows it: no model facts, the cited sources, an agent's first name, its files. */
export function visitorMessage(message: PublicMessage, authorName?: string | null) {
  const { id, role, content, createdAt, sources, feedback, quickReplies, attachments } = message;
  return {
    id,
    role,
    content,
    createdAt,
    sources: visitorSources(sources),
    feedback,
    ...(quickReplies ? { quickReplies } : {}),
    ...(attachments ? { attachments } : {}),
    ...(role === 'agent' && authorName ? { author: { name: firstName(authorName) } } : {}),
  };
}

/** The chat stream as a visitor gets it: the sources the answer cited, once it is done. */
export async function* visitorEvents(events: AsyncGenerator<ChatEvent>): AsyncGenerator<ChatEvent> {
  for await (const event of events) {
    // Retrieved passages are announced before the answer knows which it uses: hold them back.
    if (event.type === 'sources') continue;
    if (event.type === 'done' && event.message) {
      const message = { ...event.message, sources: visitorSources(event.message.sources) };
      if (message.sources.length > 0) yield { type: 'sources', sources: message.sources };
      yield { ...event, message };
      continue;
    }
    yield event;
  }
}

/** The conversation as the visitor sees it: their messages, the bot's and the agents' (no notes). */
export async function visitorHistory(db: Database, conversationId: string) {
  const rows = await db
    .select({ message: messages, authorName: users.name })
    .from(messages)
    .leftJoin(users, eq(users.id, messages.authorUserId))
    .where(and(eq(messages.conversationId, conversationId), inArray(messages.role, VISITOR_ROLES)))
    .orderBy(asc(messages.createdAt))
    .limit(200);
  return rows.map((row) => visitorMessage(toPublicMessage(row.message), row.authorName));
}

export interface VisitorIdentity {
  id: string;
  name?: string;
  email?: string;
  hash?: string;
}

export interface VisitorSessionInput {
  sessionToken?: string;
  identity?: VisitorIdentity;
  preChat?: Record<string, string>;
  /** The embedding page and the browser, kept on a new conversation. */
  origin: string | null;
  userAgent: string | null;
}

/** A verified identity (hash = HMAC of the id with the bot's secret) or false. */
async function verifiedIdentity(bot: BotRuntime, encryptionKey: string, identity: VisitorIdentity | undefined) {
  if (!identity?.hash || !bot.identitySecretEncrypted) return false;
  const secret = await decryptSecret(bot.identitySecretEncrypted, encryptionKey);
  return timingSafeEqual(await identityHash(secret, identity.id), identity.hash.toLowerCase());
}

/** The pre-chat form's required fields must be filled in when the form is sent. */
function checkPreChat(bot: BotRuntime, preChat: Record<string, string> | undefined) {
  const missing = bot.preChatForm.filter((f) => f.required && preChat !== undefined && !preChat[f.key]?.trim());
  if (missing.length > 0) {
    throw new ApiError('validation_failed', 'Fill in the required fields', {
      details: missing.map((f) => ({ path: `preChat.${f.key}`, message: 'Required', code: 'too_small' })),
    });
  }
}

/** Who the visitor says they are: identity first, then the pre-chat form; other answers become attributes. */
function visitorProfile(input: VisitorSessionInput, verified: boolean) {
  const pre = input.preChat ?? {};
  return {
    name: input.identity?.name ?? pre.name ?? null,
    email: input.identity?.email ?? pre.email ?? null,
    attributes: {
      ...Object.fromEntries(Object.entries(pre).filter(([k]) => k !== 'name' && k !== 'email')),
      ...(input.identity ? { identityId: input.identity.id, identityVerified: verified } : {}),
    },
  };
}

type VisitorProfile = ReturnType<typeof visitorProfile>;

/** Resuming: the conversation must still exist for this bot; what the visitor told us now is merged in. */
async function resumeConversation(db: Database, bot: BotRuntime, current: WidgetSession, profile: VisitorProfile) {
  const [exists] = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.id, current.conversationId), eq(conversations.botId, bot.id)));
  if (!exists) throw new ApiError('invalid_token', 'This chat no longer exists; start a new one');
  const { name, email, attributes } = profile;
  if (name || email || Object.keys(attributes).length) {
    await db
      .update(contacts)
      .set({
        ...(name ? { name } : {}),
        ...(email ? { email } : {}),
        attributes: sql`${contacts.attributes} || ${JSON.stringify(attributes)}::jsonb`,
        lastSeenAt: new Date(),
      })
      .where(eq(contacts.id, current.contactId));
  }
  return { contactId: current.contactId, conversationId: current.conversationId };
}

async function startConversation(db: Database, bot: BotRuntime, input: VisitorSessionInput, profile: VisitorProfile, verified: boolean) {
  const { name, email, attributes } = profile;
  // A verified visitor is the same contact on every device; anyone else is this browser.
  const externalId = verified && input.identity ? `user:${input.identity.id}` : `anon:${randomToken(16)}`;
  const [contact] = await db
    .insert(contacts)
    .values({ organizationId: bot.organizationId, channel: 'web', externalId, name, email, attributes, lastSeenAt: new Date() })
    .onConflictDoUpdate({
      target: [contacts.organizationId, contacts.channel, contacts.externalId],
      set: { lastSeenAt: new Date(), ...(name ? { name } : {}), ...(email ? { email } : {}) },
    })
    .returning({ id: contacts.id });
  const [conversation] = await db
    .insert(conversations)
    .values({
      organizationId: bot.organizationId,
      botId: bot.id,
      contactId: contact.id,
      channel: 'web',
      metadata: { origin: input.origin, userAgent: input.userAgent?.slice(0, 300) ?? null },
    })
    .returning({ id: conversations.id });
  return { contactId: contact.id, conversationId: conversation.id };
}

/**
 * Starts a visitor's chat, or resumes it with a valid session token: the contact (verified when
 * the identity is signed with the bot's secret), the conversation, a new token and the history.
 */
export async function startVisitorSession(services: Pick<Services, 'db' | 'config'>, bot: BotRuntime, input: VisitorSessionInput) {
  const { db, config } = services;
  checkPreChat(bot, input.preChat);
  const current = input.sessionToken ? await verifyWidgetSession(input.sessionToken, bot.id, config.JWT_SECRET) : null;
  const verified = await verifiedIdentity(bot, config.ENCRYPTION_KEY, input.identity);
  const profile = visitorProfile(input, verified);
  const { contactId, conversationId } = current
    ? await resumeConversation(db, bot, current, profile)
    : await startConversation(db, bot, input, profile, verified);
  const [contact] = await db.select().from(contacts).where(eq(contacts.id, contactId));
  return {
    sessionToken: await signWidgetSession({ botId: bot.id, contactId, conversationId }, config.JWT_SECRET),
    conversationId,
    contact: { name: contact.name, email: contact.email, verified: contact.attributes.identityVerified === true },
    messages: await visitorHistory(db, conversationId),
  };
}

/** Thumbs up or down on one of the bot's answers in the visitor's conversation. */
export async function rateAnswer(db: Database, conversationId: string, messageId: string, value: 1 | -1) {
  const updated = await db
    .update(messages)
    .set({ feedback: value })
    .where(and(eq(messages.id, messageId), eq(messages.conversationId, conversationId), eq(messages.role, 'assistant')))
    .returning({ id: messages.id });
  if (updated.length === 0) throw new ApiError('not_found', 'Message not found in this conversation');
}

/** The visitor's 1–5 rating of the conversation (with a comment), announced to the inbox. */
export async function rateConversation(services: Services, organizationId: string, conversationId: string, rating: number, comment?: string) {
  await services.db
    .update(conversations)
    .set({ rating, ...(comment ? { feedback: comment } : {}) })
    .where(eq(conversations.id, conversationId));
  await publishConversationUpdated(services, organizationId, { id: conversationId, rating, feedback: comment ?? null }, ['rating']);
}
