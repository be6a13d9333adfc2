import { createRoute } from '@hono/zod-openapi';
import { postAgentMessage } from '../core/conversations/manage';
import { agentMessageView, listConversationMessages } from '../core/conversations/read';
import { OrgHeaderSchema, bearerSecurity, createRouter, errorResponse, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, minRole, withOrg } from '../middleware/auth';
import { inboxActor } from './conversations.shared';
import { ConversationParams, MessagePageSchema, MessageSchema, MessagesQuery, PostMessageBody } from './conversations.schemas';

/** /api/v1/conversations/{id}/messages: read a conversation's messages, reply as an agent, add private notes. */
export const conversationMessagesRouter = createRouter();
conversationMessagesRouter.use('/:conversation_id/messages', authenticate, withOrg);

const tags = ['Conversations'];

conversationMessagesRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{conversation_id}/messages',
    tags,
    summary: 'Messages, oldest first; `nextCursor` pages back to older ones',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: ConversationParams, query: MessagesQuery },
    responses: { 200: jsonContent(MessagePageSchema, 'A page of messages'), ...protectedErrors },
  }),
  async (c) => {
    const page = await listConversationMessages(c.get('services').db, c.get('org').organizationId, c.req.valid('param').conversation_id, c.req.valid('query'));
    return c.json(page, 200);
  },
);

conversationMessagesRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{conversation_id}/messages',
    tags,
    summary: 'Reply as an agent (takes the conversation from the bot) or add a private note',
    description: 'The reply reaches the visitor live in the widget, or goes out through the conversation\u2019s messaging channel.',
    security: bearerSecurity,
    middleware: [minRole('agent')] as const,
    request: { headers: OrgHeaderSchema, params: ConversationParams, body: jsonBody(PostMessageBody) },
    responses: {
      201: jsonContent(MessageSchema, 'The stored message'),
      409: errorResponse('`messaging_window_closed`: a WhatsApp reply more than 24 hours after the customer\u2019s last message; send an approved template (`/whatsapp-templates`) instead'),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const actor = inboxActor(c);
    const services = c.get('services');
    const stored = await postAgentMessage(services, actor, c.req.valid('param').conversation_id, c.req.valid('json'));
    return c.json(await agentMessageView(services.db, stored, actor.userId), 201);
  },
);
