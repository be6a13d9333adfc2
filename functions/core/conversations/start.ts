import { eq } from 'drizzle-orm';
import { bots, contacts, conversations } from '../../../db/schema';
import { randomToken } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import type { Services } from '../../ports';
import { loadBotRuntime } from '../chat/bot-runtime';
import { replyToStoredMessage } from '../chat/engine';
import { redactText } from '../privacy/redaction';
import { storeUserTurn } from '../chat/store';
import { publishEvent } from '../events/publish';
import { publishMessageCreated } from './events';
import { getConversation } from './read';
import { forgetApiConversations } from '../chat/api-chat';

/**
 * A conversation started through the API (channel `api`): the contact is found or created by
 * the caller's id for them, and a first message, when given, is stored and answered by the bot.
 */
export interface StartConversationInput {
  botId: string;
  contact: { externalId?: string; name?: string; email?: string; phone?: string };
  message?: string;
}

export async function startApiConversation(services: Services, organizationId: string, input: StartConversationInput) {
  const [bot] = await services.db.select({ id: bots.id }).from(bots).where(inOrg(bots, organizationId, eq(bots.id, input.botId)));
  if (!bot) throw new ApiError('not_found', 'Chatbot not found');
  const contactId = await upsertApiContact(services, organizationId, input.contact);
  const [conversation] = await services.db
    .insert(conversations)
    .values({ organizationId, botId: bot.id, contactId, channel: 'api' })
    .returning({ id: conversations.id });
  // The OpenAI-compatible API continues a user's newest conversation with the bot: now this one.
  await forgetApiConversations(services, organizationId);
  if (input.message) await answerFirstMessage(services, organizationId, bot.id, conversation.id, input.message);
  const detail = await getConversation(services.db, organizationId, conversation.id);
  if (!detail) throw new ApiError('not_found', 'Conversation not found');
  return detail;
}

/** Without the caller's id the contact is new each time; with it, the same person continues. */
async function upsertApiContact(services: Services, organizationId: string, contact: StartConversationInput['contact']) {
  const externalId = contact.externalId ?? `api:${randomToken(12)}`;
  const [row] = await services.db
    .insert(contacts)
    .values({ organizationId, channel: 'api', externalId, name: contact.name, email: contact.email, phone: contact.phone, lastSeenAt: new Date() })
    .onConflictDoUpdate({
      target: [contacts.organizationId, contacts.channel, contacts.externalId],
      set: { lastSeenAt: new Date(), ...(contact.name ? { name: contact.name } : {}), ...(contact.email ? { email: contact.email } : {}) },
    })
    .returning({ id: contacts.id });
  return row.id;
}

async function answerFirstMessage(services: Services, organizationId: string, botId: string, conversationId: string, message: string) {
  const runtime = await loadBotRuntime(services, botId);
  const content = await redactText(services, runtime?.redactPii === true, message);
  const turn = await storeUserTurn(services.db, { organizationId, conversationId, role: 'user', content, channel: 'api' }, runtime?.memorySize ?? 10);
  if (!turn) return;
  await publishEvent(services, organizationId, 'conversation.created', { conversationId, channel: 'api' });
  await publishMessageCreated(services, turn.stored);
  if (runtime) await replyToStoredMessage(services, runtime, turn.stored.id);
}
