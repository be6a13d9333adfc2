import { eq, sql } from 'drizzle-orm';
import { contacts, conversations } from '../../../db/schema';
import { inOrg } from '../../lib/tenancy';
import type { Services } from '../../ports';
import { ApiError } from '../../lib/errors';
import { sendConversationTemplate } from '../channels/conversation-templates';
import { requestHandoff } from '../chat/handoff';
import { updateConversation } from '../conversations/manage';
import { findConversation } from '../conversations/read';
import type { FlowAction } from './schema';
import { interpolate, type Variables } from './variables';

/**
 * An action node's effect on the conversation, through the same code agents use (so the inbox
 * hears of it): hand off, tags, priority, contact attributes, close. goto_flow and end change
 * nothing here (the runtime handles them).
 */
export async function applyConversationAction(services: Services, organizationId: string, conversationId: string, action: FlowAction, variables: Variables): Promise<unknown> {
  const actor = { organizationId, userId: null };
  switch (action.kind) {
    case 'handoff': {
      if (action.team || action.note) {
        const extra = { ...(action.team ? { team: action.team } : {}), ...(action.note ? { handoffNote: interpolate(action.note, variables) } : {}) };
        await services.db
          .update(conversations)
          .set({ metadata: sql`${conversations.metadata} || ${JSON.stringify(extra)}::jsonb` })
          .where(inOrg(conversations, organizationId, eq(conversations.id, conversationId)));
      }
      const requested = await requestHandoff(services, organizationId, conversationId, 'visitor_request');
      if (action.assigneeId) await updateConversation(services, actor, conversationId, { assigneeId: action.assigneeId }).catch(() => null);
      return { requested };
    }
    case 'add_tags': {
      const loaded = await findConversation(services.db, organizationId, conversationId);
      if (!loaded) return { skipped: 'conversation not found' };
      await updateConversation(services, actor, conversationId, { tags: [...loaded.row.tags, ...action.tags] }, loaded);
      return { tags: action.tags };
    }
    case 'set_priority':
      await updateConversation(services, actor, conversationId, { priority: action.priority });
      return { priority: action.priority };
    case 'set_attributes': {
      const attributes = Object.fromEntries(action.attributes.map((a) => [a.key, interpolate(a.value, variables)]));
      await services.db
        .update(contacts)
        .set({ attributes: sql`${contacts.attributes} || ${JSON.stringify(attributes)}::jsonb` })
        .where(inOrg(contacts, organizationId, sql`${contacts.id} = (select contact_id from ${conversations} where id = ${conversationId})`));
      return { attributes };
    }
    case 'close':
      await updateConversation(services, actor, conversationId, { status: 'closed' });
      return { closed: true };
    case 'send_whatsapp_template':
      return sendTemplateFromFlow(services, organizationId, conversationId, action, variables);
    case 'goto_flow':
    case 'end':
      return null;
  }
}

/** Off WhatsApp, or with a template the account no longer has, the flow goes on and the result says why. */
async function sendTemplateFromFlow(
  services: Services,
  organizationId: string,
  conversationId: string,
  action: Extract<FlowAction, { kind: 'send_whatsapp_template' }>,
  variables: Variables,
) {
  const conversation = await findConversation(services.db, organizationId, conversationId);
  if (conversation?.row.channel !== 'whatsapp') return { skipped: 'not a WhatsApp conversation' };
  try {
    const stored = await sendConversationTemplate(
      services,
      { organizationId, userId: null },
      conversationId,
      { name: action.name, language: action.language, variables: { header: action.header.map((v) => interpolate(v, variables)), body: action.body.map((v) => interpolate(v, variables)) } },
      'assistant',
    );
    return { template: action.name, messageId: stored.id };
  } catch (error) {
    if (error instanceof ApiError) return { skipped: error.message };
    throw error;
  }
}
