import { createRoute, z } from '@hono/zod-openapi';
import { getConversation } from '../core/conversations/read';
import { ApiError } from '../lib/errors';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, withOrg } from '../middleware/auth';

export const conversationsRouter = createRouter();
conversationsRouter.use('*', authenticate, withOrg);

export const ConversationSchema = z
  .object({
    id: z.uuid(),
    botId: z.uuid(),
    channel: z.string(),
    status: z.string(),
    priority: z.string(),
    handoff: z.string(),
    assigneeId: z.uuid().nullable(),
    tags: z.array(z.string()),
    rating: z.number().int().nullable(),
    feedback: z.string().nullable(),
    messageCount: z.number().int(),
    lastMessageAt: z.string().nullable(),
    lastMessagePreview: z.string().nullable(),
    contact: z.object({ id: z.uuid(), name: z.string().nullable(), email: z.string().nullable() }),
    createdAt: z.string(),
  })
  .openapi('Conversation');

const MessageSchema = z
  .object({
    id: z.uuid(),
    role: z.string(),
    content: z.string(),
    createdAt: z.string(),
    sources: z.array(z.record(z.string(), z.unknown())),
    feedback: z.number().nullable(),
    model: z.string().nullable().optional(),
    latencyMs: z.number().nullable().optional(),
    timeToFirstTokenMs: z.number().nullable().optional(),
    inputTokens: z.number().nullable().optional(),
    outputTokens: z.number().nullable().optional(),
    isFallback: z.boolean().optional(),
  })
  .openapi('Message');

conversationsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{conversation_id}',
    tags: ['Conversations'],
    summary: 'A conversation with its messages, sources, ratings and measurements',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: z.object({ conversation_id: z.uuid() }) },
    responses: { 200: jsonContent(ConversationSchema.extend({ messages: z.array(MessageSchema) }), 'The conversation'), ...protectedErrors },
  }),
  async (c) => {
    const conversation = await getConversation(c.get('services').db, c.get('org').organizationId, c.req.valid('param').conversation_id);
    if (!conversation) throw new ApiError('not_found', 'Conversation not found');
    return c.json(conversation as never, 200);
  },
);
