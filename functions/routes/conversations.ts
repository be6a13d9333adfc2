import { createRoute } from '@hono/zod-openapi';
import { deleteConversation, updateConversation } from '../core/conversations/manage';
import { getConversation, inboxCounts, listInbox } from '../core/conversations/read';
import { startApiConversation } from '../core/conversations/start';
import { ApiError } from '../lib/errors';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, minRole, withOrg } from '../middleware/auth';
import { conversationActionsRouter } from './conversations-actions';
import { inboxActor } from './conversations.shared';
import { conversationExportRouter } from './conversations-export';
import { conversationMessagesRouter } from './conversations-messages';
import { conversationAttachmentsRouter } from './conversations-attachments';
import { conversationWhatsAppRouter } from './conversations-whatsapp';
import {
  ConversationDetailSchema,
  ConversationPageSchema,
  ConversationParams,
  ConversationSchema,
  InboxCountsSchema,
  InboxQuery,
  StartConversationBody,
  UpdateConversationBody,
} from './conversations.schemas';

/**
 * The inbox API (/api/v1/conversations): list and filter conversations, count them, start one
 * through the API, read, update and delete one. Its sub-resources have their own files:
 * /{id}/messages (conversations-messages.ts), /{id}/export (conversations-export.ts), and the
 * one-field actions /{id}/status, priority, tags, assign, takeover, handback, read
 * (conversations-actions.ts). Agents and up write; viewers read.
 */
export { ConversationSchema, MessageSchema } from './conversations.schemas';

export const conversationsRouter = createRouter();
const router = createRouter();
router.use('*', authenticate, withOrg);

const tags = ['Conversations'];

router.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags,
    summary: 'The inbox: conversations, latest activity first, filtered on the server',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, query: InboxQuery },
    responses: { 200: jsonContent(ConversationPageSchema, 'A page of conversations'), ...protectedErrors },
  }),
  async (c) => {
    const { bot_id, unread, ...q } = c.req.valid('query');
    const actor = inboxActor(c);
    const filters = { ...q, botId: bot_id, unread: unread === undefined ? undefined : unread === 'true' };
    return c.json(await listInbox(c.get('services').db, actor.organizationId, filters, actor.userId), 200);
  },
);

router.openapi(
  createRoute({
    method: 'get',
    path: '/counts',
    tags,
    summary: 'Counts for the inbox folders and the handoff bell (open, pending, unread, mine, unassigned, waiting for a person)',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema },
    responses: { 200: jsonContent(InboxCountsSchema, 'Counts'), ...protectedErrors },
  }),
  async (c) => {
    const actor = inboxActor(c);
    return c.json(await inboxCounts(c.get('services').db, actor.organizationId, actor.userId), 200);
  },
);

router.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags,
    summary: 'Start a conversation through the API (channel `api`), optionally with the contact\u2019s first message',
    security: bearerSecurity,
    middleware: [minRole('agent')] as const,
    request: { headers: OrgHeaderSchema, body: jsonBody(StartConversationBody) },
    responses: { 201: jsonContent(ConversationDetailSchema, 'The conversation, with the message and the bot\u2019s answer'), ...protectedErrors },
  }),
  async (c) => c.json(await startApiConversation(c.get('services'), c.get('org').organizationId, c.req.valid('json')), 201),
);

router.openapi(
  createRoute({
    method: 'get',
    path: '/{conversation_id}',
    tags,
    summary: 'A conversation with its messages, sources, ratings and measurements',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: ConversationParams },
    responses: { 200: jsonContent(ConversationDetailSchema, 'The conversation'), ...protectedErrors },
  }),
  async (c) => {
    const conversation = await getConversation(c.get('services').db, c.get('org').organizationId, c.req.valid('param').conversation_id);
    if (!conversation) throw new ApiError('not_found', 'Conversation not found');
    return c.json(conversation, 200);
  },
);

router.openapi(
  createRoute({
    method: 'put',
    path: '/{conversation_id}',
    tags,
    summary: 'Update status, priority, assignee, tags or who answers (bot or human)',
    security: bearerSecurity,
    middleware: [minRole('agent')] as const,
    request: { headers: OrgHeaderSchema, params: ConversationParams, body: jsonBody(UpdateConversationBody) },
    responses: { 200: jsonContent(ConversationSchema, 'The updated conversation'), ...protectedErrors },
  }),
  async (c) => c.json(await updateConversation(c.get('services'), inboxActor(c), c.req.valid('param').conversation_id, c.req.valid('json')), 200),
);

router.openapi(
  createRoute({
    method: 'delete',
    path: '/{conversation_id}',
    tags,
    summary: 'Delete a conversation and its messages (admins)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: ConversationParams },
    responses: { 204: { description: 'Deleted' }, ...protectedErrors },
  }),
  async (c) => {
    await deleteConversation(c.get('services'), c.get('org').organizationId, c.req.valid('param').conversation_id);
    return c.body(null, 204);
  },
);

conversationsRouter.route('/', router);
conversationsRouter.route('/', conversationMessagesRouter);
conversationsRouter.route('/', conversationAttachmentsRouter);
conversationsRouter.route('/', conversationExportRouter);
conversationsRouter.route('/', conversationActionsRouter);
conversationsRouter.route('/', conversationWhatsAppRouter);
