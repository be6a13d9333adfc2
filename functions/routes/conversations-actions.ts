import { createRoute, z } from '@hono/zod-openapi';
import { markConversationRead, updateConversation, type ConversationChanges } from '../core/conversations/manage';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, minRole, withOrg } from '../middleware/auth';
import { inboxActor } from './conversations.shared';
import { AssignBody, ConversationParams, ConversationSchema, PriorityBody, StatusBody, TagsBody } from './conversations.schemas';

/**
 * The one-step actions on a conversation, each its own URL under /api/v1/conversations/{id}:
 * status, priority, tags, assign, takeover, handback and read. Agents and up.
 */
export const conversationActionsRouter = createRouter();
for (const action of ['status', 'priority', 'tags', 'assign', 'takeover', 'handback', 'read']) {
  conversationActionsRouter.use(`/:conversation_id/${action}`, authenticate, withOrg);
}

const tags = ['Conversations'];

function actionRoute<Body extends z.ZodType>(method: 'put' | 'post', path: string, summary: string, body: Body) {
  return createRoute({
    method,
    path,
    tags,
    summary,
    security: bearerSecurity,
    middleware: [minRole('agent')] as const,
    request: { headers: OrgHeaderSchema, params: ConversationParams, body: jsonBody(body) },
    responses: { 200: jsonContent(ConversationSchema, 'The updated conversation'), ...protectedErrors },
  });
}

// One field each: the body's only key is the change.
const oneFieldActions: Array<[string, string, z.ZodType<ConversationChanges>]> = [
  ['/{conversation_id}/status', 'Change the status (resolving hands the conversation back to the bot)', StatusBody],
  ['/{conversation_id}/priority', 'Change the priority', PriorityBody],
  ['/{conversation_id}/tags', 'Replace the tags', TagsBody],
];
for (const [path, summary, body] of oneFieldActions) {
  conversationActionsRouter.openapi(actionRoute('put', path, summary, body), async (c) =>
    c.json(await updateConversation(c.get('services'), inboxActor(c), c.req.valid('param').conversation_id, c.req.valid('json')), 200),
  );
}

conversationActionsRouter.openapi(actionRoute('post', '/{conversation_id}/assign', 'Assign to a member (or unassign with null)', AssignBody), async (c) =>
  c.json(await updateConversation(c.get('services'), inboxActor(c), c.req.valid('param').conversation_id, c.req.valid('json')), 200),
);

for (const [path, handoff, summary] of [
  ['/{conversation_id}/takeover', 'human', 'Take over from the bot: it stays silent while a person answers'],
  ['/{conversation_id}/handback', 'bot', 'Hand the conversation back to the bot'],
] as const) {
  conversationActionsRouter.openapi(
    createRoute({
      method: 'post',
      path,
      tags,
      summary,
      security: bearerSecurity,
      middleware: [minRole('agent')] as const,
      request: { headers: OrgHeaderSchema, params: ConversationParams },
      responses: { 200: jsonContent(ConversationSchema, 'The updated conversation'), ...protectedErrors },
    }),
    async (c) => c.json(await updateConversation(c.get('services'), inboxActor(c), c.req.valid('param').conversation_id, { handoff }), 200),
  );
}

conversationActionsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{conversation_id}/read',
    tags,
    summary: 'Mark the conversation read (its unread count goes to zero)',
    security: bearerSecurity,
    middleware: [minRole('agent')] as const,
    request: { headers: OrgHeaderSchema, params: ConversationParams },
    responses: { 204: { description: 'Marked read' }, ...protectedErrors },
  }),
  async (c) => {
    await markConversationRead(c.get('services'), c.get('org').organizationId, c.req.valid('param').conversation_id);
    return c.body(null, 204);
  },
);
