import { createRoute } from '@hono/zod-openapi';
import { conversationTemplates, sendConversationTemplate } from '../core/channels/conversation-templates';
import { agentMessageView } from '../core/conversations/read';
import { OrgHeaderSchema, bearerSecurity, createRouter, errorResponse, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, minRole, withOrg } from '../middleware/auth';
import { inboxActor } from './conversations.shared';
import { ConversationParams, MessageSchema } from './conversations.schemas';
import { ConversationTemplatesSchema, SendTemplateBody } from './conversations-whatsapp.schemas';

/**
 * /api/v1/conversations/{id}/whatsapp-templates: whether WhatsApp's 24-hour window is open, the
 * business's approved templates (from the WhatsApp Business Account, cached for five minutes), and
 * sending one with its variables, the only message WhatsApp accepts once the window has closed.
 */
export const conversationWhatsAppRouter = createRouter();
conversationWhatsAppRouter.use('/:conversation_id/whatsapp-templates', authenticate, withOrg);

const tags = ['Conversations'];

conversationWhatsAppRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{conversation_id}/whatsapp-templates',
    tags,
    summary: 'The 24-hour window and the approved WhatsApp templates for a WhatsApp conversation',
    description:
      'Templates need the WhatsApp Business Account id (`businessAccountId`) in the channel\u2019s credentials; without it the list is empty and `templatesUnavailable` says why. 409 off WhatsApp.',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: ConversationParams },
    responses: { 200: jsonContent(ConversationTemplatesSchema, 'The window and the templates'), 409: errorResponse('Not a WhatsApp conversation'), ...protectedErrors },
  }),
  async (c) => c.json(await conversationTemplates(c.get('services'), c.get('org').organizationId, c.req.valid('param').conversation_id), 200),
);

conversationWhatsAppRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{conversation_id}/whatsapp-templates',
    tags,
    summary: 'Send an approved WhatsApp template (takes the conversation from the bot)',
    description:
      'Allowed whether or not the 24-hour window is open. Every variable needs a value (422 otherwise). The message is stored at once as `pending` and sent in the background like any agent reply.',
    security: bearerSecurity,
    middleware: [minRole('agent')] as const,
    request: { headers: OrgHeaderSchema, params: ConversationParams, body: jsonBody(SendTemplateBody) },
    responses: { 201: jsonContent(MessageSchema, 'The stored template message'), 409: errorResponse('Not a WhatsApp conversation, or the channel has no WhatsApp Business Account id'), ...protectedErrors, 503: errorResponse('WhatsApp did not answer') },
  }),
  async (c) => {
    const actor = inboxActor(c);
    const services = c.get('services');
    const stored = await sendConversationTemplate(services, actor, c.req.valid('param').conversation_id, c.req.valid('json'));
    return c.json(await agentMessageView(services.db, stored, actor.userId), 201);
  },
);
