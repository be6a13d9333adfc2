import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { and, eq } from 'drizzle-orm';
import { bots, contacts, conversations, users } from '../../db/schema';
import { loadBotRuntime } from '../core/chat/bot-runtime';
import { replyToStoredMessage } from '../core/chat/engine';
import { storeUserTurn } from '../core/chat/store';
import { publishMessageCreated } from '../core/conversations/events';
import { EXPORT_FORMATS, exportConversation } from '../core/conversations/export';
import { deleteConversation, markConversationRead, postAgentMessage, updateConversation, type ConversationChanges } from '../core/conversations/manage';
import { getConversation, inboxCounts, inboxMessage, listInbox, listMessages } from '../core/conversations/read';
import { publishEvent } from '../core/events/publish';
import type { AppEnv } from '../lib/env';
import { ApiError } from '../lib/errors';
import { CursorQuerySchema, OrgHeaderSchema, bearerSecurity, createRouter, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { inOrg } from '../lib/tenancy';
import { randomToken } from '../lib/crypto';
import { authenticate, minRole, withOrg } from '../middleware/auth';

/**
 * The inbox API: list and filter conversations, read and export them, and work them as a team
 * (status, assignee, priority, tags, take over from the bot and hand back, replies and private
 * notes, read markers). Agents and up write; viewers read.
 */
export const conversationsRouter = createRouter();
conversationsRouter.use('*', authenticate, withOrg);

const tags = ['Conversations'];
const STATUSES = ['open', 'pending', 'resolved', 'closed'] as const;
const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
const CHANNELS = ['web', 'whatsapp', 'messenger', 'instagram', 'telegram', 'api'] as const;
const MAX_AGENT_MESSAGE = 4000;

const Params = z.object({ conversation_id: z.uuid() });

const SourceSchema = z.object({ title: z.string(), url: z.string().optional(), documentId: z.string(), chunkId: z.string(), score: z.number(), page: z.number().optional() });

export const MessageSchema = z
  .object({
    id: z.uuid(),
    role: z.enum(['user', 'assistant', 'agent', 'system', 'note']).openapi({ description: '`note`: a private note only the team sees' }),
    content: z.string(),
    contentType: z.string().openapi({ example: 'text' }),
    metadata: z.record(z.string(), z.unknown()),
    channel: z.string(),
    deliveryStatus: z.string().nullable().openapi({ description: 'Channels: pending, sent, delivered, read or failed' }),
    error: z.string().nullable(),
    author: z.object({ id: z.uuid(), name: z.string().nullable() }).nullable(),
    createdAt: z.string(),
    sources: z.array(SourceSchema),
    feedback: z.number().nullable(),
    model: z.string().nullable().optional(),
    latencyMs: z.number().nullable().optional(),
    timeToFirstTokenMs: z.number().nullable().optional(),
    inputTokens: z.number().nullable().optional(),
    outputTokens: z.number().nullable().optional(),
    isFallback: z.boolean().optional(),
  })
  .openapi('Message');

export const ConversationSchema = z
  .object({
    id: z.uuid(),
    botId: z.uuid(),
    bot: z.object({ id: z.uuid(), name: z.string() }).nullable(),
    channel: z.string(),
    status: z.enum(STATUSES),
    priority: z.enum(PRIORITIES),
    handoff: z.enum(['bot', 'requested', 'human']).openapi({ description: '`requested`: waiting for a person; `human`: a person has it and the bot is silent' }),
    handoffReason: z.string().nullable(),
    assigneeId: z.uuid().nullable(),
    assignee: z.object({ id: z.uuid(), name: z.string() }).nullable(),
    tags: z.array(z.string()),
    rating: z.number().int().nullable(),
    feedback: z.string().nullable(),
    unreadCount: z.number().int(),
    messageCount: z.number().int(),
    lastMessageAt: z.string().nullable(),
    lastMessagePreview: z.string().nullable(),
    firstResponseAt: z.string().nullable(),
    handedOffAt: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    contact: z.object({
      id: z.uuid(),
      name: z.string().nullable(),
      email: z.string().nullable(),
      phone: z.string().nullable(),
      externalId: z.string().optional(),
      attributes: z.record(z.string(), z.unknown()).optional(),
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Conversation');

const ListQuery = CursorQuerySchema.extend({
  status: z.enum(STATUSES).optional(),
  channel: z.enum(CHANNELS).optional(),
  bot_id: z.uuid().optional(),
  assignee: z
    .union([z.literal('me'), z.literal('unassigned'), z.uuid()])
    .optional()
    .openapi({ description: '`me`, `unassigned` or a user id' }),
  tag: z.string().max(50).optional(),
  priority: z.enum(PRIORITIES).optional(),
  handoff: z.enum(['bot', 'requested', 'human']).optional(),
  unread: z.enum(['true', 'false']).optional(),
  q: z.string().max(200).optional().openapi({ description: 'Text in the contact\u2019s name, email or phone, or in any message' }),
});

function actorOf(c: Context<AppEnv>) {
  const principal = c.get('principal');
  return { organizationId: c.get('org').organizationId, userId: principal.kind === 'user' ? principal.userId : null };
}

conversationsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags,
    summary: 'The inbox: conversations, latest activity first, filtered on the server',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, query: ListQuery },
    responses: { 200: jsonContent(z.object({ data: z.array(ConversationSchema), nextCursor: z.string().nullable() }), 'A page of conversations'), ...protectedErrors },
  }),
  async (c) => {
    const q = c.req.valid('query');
    const actor = actorOf(c);
    const result = await listInbox(
      c.get('services').db,
      actor.organizationId,
      {
        status: q.status,
        channel: q.channel,
        botId: q.bot_id,
        assignee: q.assignee,
        tag: q.tag,
        priority: q.priority,
        handoff: q.handoff,
        unread: q.unread === undefined ? undefined : q.unread === 'true',
        q: q.q,
        cursor: q.cursor,
        limit: q.limit,
      },
      actor.userId,
    );
    return c.json(result as never, 200);
  },
);

conversationsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/counts',
    tags,
    summary: 'Counts for the inbox folders and the handoff bell (open, pending, unread, mine, unassigned, waiting for a person)',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema },
    responses: {
      200: jsonContent(
        z.object({ open: z.number(), pending: z.number(), unread: z.number(), handoffRequested: z.number(), mine: z.number(), unassigned: z.number() }),
        'Counts',
      ),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const actor = actorOf(c);
    return c.json(await inboxCounts(c.get('services').db, actor.organizationId, actor.userId), 200);
  },
);

const CreateBody = z.object({
  botId: z.uuid(),
  contact: z
    .object({
      externalId: z.string().min(1).max(200).optional().openapi({ description: 'Your id for this person; the same id continues with the same contact' }),
      name: z.string().max(200).optional(),
      email: z.email().max(255).optional(),
      phone: z.string().max(32).optional(),
    })
    .default({}),
  message: z.string().trim().min(1).max(MAX_AGENT_MESSAGE).optional().openapi({ description: 'The contact\u2019s first message; the bot answers it' }),
});

conversationsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags,
    summary: 'Start a conversation through the API (channel `api`), optionally with the contact\u2019s first message',
    security: bearerSecurity,
    middleware: [minRole('agent')] as const,
    request: { headers: OrgHeaderSchema, body: jsonBody(CreateBody) },
    responses: {
      201: jsonContent(ConversationSchema.extend({ messages: z.array(MessageSchema) }), 'The conversation, with the message and the bot\u2019s answer'),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const services = c.get('services');
    const { organizationId } = c.get('org');
    const body = c.req.valid('json');
    const [bot] = await services.db.select({ id: bots.id }).from(bots).where(inOrg(bots, organizationId, eq(bots.id, body.botId)));
    if (!bot) throw new ApiError('not_found', 'Chatbot not found');
    const externalId = body.contact.externalId ?? `api:${randomToken(12)}`;
    const [contact] = await services.db
      .insert(contacts)
      .values({ organizationId, channel: 'api', externalId, name: body.contact.name, email: body.contact.email, phone: body.contact.phone, lastSeenAt: new Date() })
      .onConflictDoUpdate({
        target: [contacts.organizationId, contacts.channel, contacts.externalId],
        set: { lastSeenAt: new Date(), ...(body.contact.name ? { name: body.contact.name } : {}), ...(body.contact.email ? { email: body.contact.email } : {}) },
      })
      .returning({ id: contacts.id });
    const [conversation] = await services.db
      .insert(conversations)
      .values({ organizationId, botId: bot.id, contactId: contact.id, channel: 'api' })
      .returning({ id: conversations.id });
    if (body.message) {
      const runtime = await loadBotRuntime(services, bot.id);
      const turn = await storeUserTurn(
        services.db,
        { organizationId, conversationId: conversation.id, role: 'user', content: body.message, channel: 'api' },
        runtime?.memorySize ?? 10,
      );
      if (turn) {
        await publishEvent(services, organizationId, 'conversation.created', { conversationId: conversation.id, channel: 'api' });
        await publishMessageCreated(services, turn.stored);
        if (runtime) await replyToStoredMessage(services, runtime, turn.stored.id);
      }
    }
    return c.json((await getConversation(services.db, organizationId, conversation.id)) as never, 201);
  },
);

conversationsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{conversation_id}',
    tags,
    summary: 'A conversation with its messages, sources, ratings and measurements',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: Params },
    responses: { 200: jsonContent(ConversationSchema.extend({ messages: z.array(MessageSchema) }), 'The conversation'), ...protectedErrors },
  }),
  async (c) => {
    const conversation = await getConversation(c.get('services').db, c.get('org').organizationId, c.req.valid('param').conversation_id);
    if (!conversation) throw new ApiError('not_found', 'Conversation not found');
    return c.json(conversation as never, 200);
  },
);

const UpdateBody = z
  .object({
    status: z.enum(STATUSES).optional(),
    priority: z.enum(PRIORITIES).optional(),
    assigneeId: z.uuid().nullable().optional(),
    tags: z.array(z.string().max(50)).max(20).optional(),
    handoff: z.enum(['human', 'bot']).optional().openapi({ description: '`human`: take over from the bot; `bot`: hand back' }),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'Nothing to change' });

function updateRoute(path: string, summary: string, body: z.ZodType) {
  return createRoute({
    method: 'put',
    path,
    tags,
    summary,
    security: bearerSecurity,
    middleware: [minRole('agent')] as const,
    request: { headers: OrgHeaderSchema, params: Params, body: jsonBody(body) },
    responses: { 200: jsonContent(ConversationSchema, 'The updated conversation'), ...protectedErrors },
  });
}

conversationsRouter.openapi(updateRoute('/{conversation_id}', 'Update status, priority, assignee, tags or who answers (bot or human)', UpdateBody), async (c) => {
  const body = c.req.valid('json') as z.infer<typeof UpdateBody>;
  return c.json((await updateConversation(c.get('services'), actorOf(c), c.req.valid('param').conversation_id, body)) as never, 200);
});

// One field each: the body's only key is the change (status, priority or tags).
for (const [path, summary, body] of [
  ['/{conversation_id}/status', 'Change the status (resolving hands the conversation back to the bot)', z.object({ status: z.enum(STATUSES) })],
  ['/{conversation_id}/priority', 'Change the priority', z.object({ priority: z.enum(PRIORITIES) })],
  ['/{conversation_id}/tags', 'Replace the tags', z.object({ tags: z.array(z.string().max(50)).max(20) })],
] as const) {
  conversationsRouter.openapi(updateRoute(path, summary, body), async (c) => {
    const change = c.req.valid('json') as ConversationChanges;
    return c.json((await updateConversation(c.get('services'), actorOf(c), c.req.valid('param').conversation_id, change)) as never, 200);
  });
}

const AssignBody = z.object({ assigneeId: z.uuid().nullable().openapi({ description: 'A member of the organization, or null to unassign' }) });
conversationsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{conversation_id}/assign',
    tags,
    summary: 'Assign to a member (or unassign with null)',
    security: bearerSecurity,
    middleware: [minRole('agent')] as const,
    request: { headers: OrgHeaderSchema, params: Params, body: jsonBody(AssignBody) },
    responses: { 200: jsonContent(ConversationSchema, 'The updated conversation'), ...protectedErrors },
  }),
  async (c) => {
    const { assigneeId } = c.req.valid('json');
    return c.json((await updateConversation(c.get('services'), actorOf(c), c.req.valid('param').conversation_id, { assigneeId })) as never, 200);
  },
);

for (const [path, handoff, summary] of [
  ['/{conversation_id}/takeover', 'human', 'Take over from the bot: it stays silent while a person answers'],
  ['/{conversation_id}/handback', 'bot', 'Hand the conversation back to the bot'],
] as const) {
  conversationsRouter.openapi(
    createRoute({
      method: 'post',
      path,
      tags,
      summary,
      security: bearerSecurity,
      middleware: [minRole('agent')] as const,
      request: { headers: OrgHeaderSchema, params: Params },
      responses: { 200: jsonContent(ConversationSchema, 'The updated conversation'), ...protectedErrors },
    }),
    async (c) => c.json((await updateConversation(c.get('services'), actorOf(c), c.req.valid('param').conversation_id, { handoff })) as never, 200),
  );
}

conversationsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{conversation_id}/read',
    tags,
    summary: 'Mark the conversation read (its unread count goes to zero)',
    security: bearerSecurity,
    middleware: [minRole('agent')] as const,
    request: { headers: OrgHeaderSchema, params: Params },
    responses: { 204: { description: 'Marked read' }, ...protectedErrors },
  }),
  async (c) => {
    await markConversationRead(c.get('services'), c.get('org').organizationId, c.req.valid('param').conversation_id);
    return c.body(null, 204);
  },
);

conversationsRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{conversation_id}',
    tags,
    summary: 'Delete a conversation and its messages (admins)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: Params },
    responses: { 204: { description: 'Deleted' }, ...protectedErrors },
  }),
  async (c) => {
    await deleteConversation(c.get('services'), c.get('org').organizationId, c.req.valid('param').conversation_id);
    return c.body(null, 204);
  },
);

conversationsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{conversation_id}/messages',
    tags,
    summary: 'Messages, oldest first; `nextCursor` pages back to older ones',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: Params, query: CursorQuerySchema.extend({ limit: z.coerce.number().int().min(1).max(200).default(50) }) },
    responses: { 200: jsonContent(z.object({ data: z.array(MessageSchema), nextCursor: z.string().nullable() }), 'A page of messages'), ...protectedErrors },
  }),
  async (c) => {
    const { db } = c.get('services');
    const { organizationId } = c.get('org');
    const id = c.req.valid('param').conversation_id;
    const [exists] = await db.select({ id: conversations.id }).from(conversations).where(and(inOrg(conversations, organizationId), eq(conversations.id, id)));
    if (!exists) throw new ApiError('not_found', 'Conversation not found');
    return c.json((await listMessages(db, organizationId, id, c.req.valid('query'))) as never, 200);
  },
);

const PostMessageBody = z.object({
  content: z.string().trim().min(1).max(MAX_AGENT_MESSAGE),
  private: z.boolean().optional().openapi({ description: 'A private note for the team; the contact never sees it' }),
});

conversationsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{conversation_id}/messages',
    tags,
    summary: 'Reply as an agent (takes the conversation from the bot) or add a private note',
    description: 'The reply reaches the visitor live in the widget, or goes out through the conversation\u2019s messaging channel.',
    security: bearerSecurity,
    middleware: [minRole('agent')] as const,
    request: { headers: OrgHeaderSchema, params: Params, body: jsonBody(PostMessageBody) },
    responses: { 201: jsonContent(MessageSchema, 'The stored message'), ...protectedErrors },
  }),
  async (c) => {
    const actor = actorOf(c);
    const id = c.req.valid('param').conversation_id;
    const stored = await postAgentMessage(c.get('services'), actor, id, c.req.valid('json'));
    const authorName = actor.userId ? await authorNameOf(c, actor.userId) : null;
    return c.json(inboxMessage(stored, authorName) as never, 201);
  },
);

async function authorNameOf(c: Context<AppEnv>, userId: string) {
  const [row] = await c.get('services').db.select({ name: users.name }).from(users).where(eq(users.id, userId));
  return row?.name ?? null;
}

conversationsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{conversation_id}/export',
    tags,
    summary: 'Export the conversation as JSON, CSV or a plain-text transcript',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: Params, query: z.object({ format: z.enum(EXPORT_FORMATS).default('json') }) },
    responses: {
      200: {
        description: 'The file (Content-Disposition: attachment)',
        content: { 'application/json': { schema: z.any() }, 'text/csv': { schema: z.string() }, 'text/plain': { schema: z.string() } },
      },
      ...protectedErrors,
    },
  }),
  async (c) => {
    const detail = await getConversation(c.get('services').db, c.get('org').organizationId, c.req.valid('param').conversation_id);
    if (!detail) throw new ApiError('not_found', 'Conversation not found');
    const file = exportConversation(detail, c.req.valid('query').format);
    c.header('Content-Type', file.contentType);
    c.header('Content-Disposition', `attachment; filename="conversation-${detail.id}.${file.extension}"`);
    return c.body(file.body, 200);
  },
);
