import { and, eq } from 'drizzle-orm';
import { channels, conversations } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import type { Services } from '../../ports';
import { storeReply } from '../chat/store';
import { publishMessageCreated } from '../conversations/events';
import { openCredentials, type WhatsAppCredentials } from './credentials';
import { updateConversation } from '../conversations/manage';
import { customerWindow, type CustomerWindow } from './window';
import { buildTemplate, findTemplate, listApprovedTemplates, type TemplateInput, type WhatsAppTemplate } from './whatsapp-templates';

/**
 * WhatsApp templates sent into one conversation: by an agent from the inbox or the API, or by a
 * flow. They are how a business writes again once the 24-hour window (window.ts) has closed.
 */
async function whatsappChannelOf(services: Services, organizationId: string, conversationId: string) {
  const [row] = await services.db
    .select({ conversation: conversations, integration: channels })
    .from(conversations)
    .leftJoin(channels, and(eq(channels.id, conversations.channelId), eq(channels.organizationId, conversations.organizationId)))
    .where(inOrg(conversations, organizationId, eq(conversations.id, conversationId)))
    .limit(1);
  if (!row) throw new ApiError('not_found', 'Conversation not found');
  if (row.conversation.channel !== 'whatsapp') throw new ApiError('conflict', 'Templates are for WhatsApp conversations');
  if (!row.integration?.credentialsEncrypted) throw new ApiError('conflict', 'The WhatsApp channel of this conversation has been removed');
  const credentials = await openCredentials('whatsapp', row.integration.credentialsEncrypted, services.config.ENCRYPTION_KEY).catch(() => null);
  if (!credentials) throw new ApiError('conflict', 'The WhatsApp channel\u2019s credentials cannot be read; connect it again');
  return { conversation: row.conversation, integrationId: row.integration.id, credentials: credentials as WhatsAppCredentials };
}

/** The reply box's question: may free text go out, and if not, which templates can. */
export async function conversationTemplates(
  services: Services,
  organizationId: string,
  conversationId: string,
): Promise<{ window: CustomerWindow; templates: WhatsAppTemplate[]; templatesUnavailable: string | null }> {
  const { conversation, integrationId, credentials } = await whatsappChannelOf(services, organizationId, conversationId);
  const window = await customerWindow(services, conversation);
  try {
    return { window, templates: await listApprovedTemplates(services, integrationId, credentials), templatesUnavailable: null };
  } catch (error) {
    // The window still matters to the reply box when the templates cannot be read (no account id, Meta down).
    if (error instanceof ApiError) return { window, templates: [], templatesUnavailable: error.message };
    throw error;
  }
}

/**
 * Stores a template message (what the inbox shows: the filled-in text; what Meta receives:
 * `metadata.template`) and queues its sending. An agent's template takes the conversation from the
 * bot like any agent reply; a flow's (`role: assistant`) leaves it with the bot.
 */
export async function sendConversationTemplate(
  services: Services,
  actor: { organizationId: string; userId: string | null },
  conversationId: string,
  input: TemplateInput,
  role: 'agent' | 'assistant' = 'agent',
) {
  const { conversation, integrationId, credentials } = await whatsappChannelOf(services, actor.organizationId, conversationId);
  const template = findTemplate(await listApprovedTemplates(services, integrationId, credentials), input);
  const { payload, text } = buildTemplate(template, input);
  if (role === 'agent' && conversation.handoff !== 'human') {
    await updateConversation(services, actor, conversationId, { handoff: 'human' });
  }
  const stored = await storeReply(services.db, {
    organizationId: actor.organizationId,
    conversationId,
    role,
    content: text,
    contentType: 'template',
    metadata: { template: payload },
    channel: 'whatsapp',
    authorUserId: role === 'agent' ? actor.userId : null,
    deliveryStatus: 'pending',
  });
  await publishMessageCreated(services, stored);
  await services.queue.enqueue('send-channel-message', { messageId: stored.id }, { deduplicationId: `send:${stored.id}` });
  return stored;
}
