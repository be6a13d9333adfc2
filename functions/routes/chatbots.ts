import { createRoute, z } from '@hono/zod-openapi';
import { createBot, deleteBot, deployBot, listBots, showBot, updateBot } from '../core/chat/bot-admin';
import { listBotConversations } from '../core/conversations/read';
import { findBot } from '../core/chat/bots';
import { ConversationSchema } from './conversations';
import { CursorQuerySchema, OrgHeaderSchema, bearerSecurity, createRouter, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, minRole, withOrg } from '../middleware/auth';
import { BotListQuerySchema, BotParamsSchema, BotSchema, BotSettingsSchema, CreateBotSchema, UpdateBotSchema } from './chatbots.schemas';
import { chatbotsIdentitySecretRouter } from './chatbots-identity-secret';
import { chatbotsSchedulesRouter } from './chatbots-schedules';
import { chatbotsTestRouter } from './chatbots-test';
import { chatbotsFlowsRouter } from './flows';

/**
 * /api/v1/chatbots: the bots and their settings. Sub-resources live in their own files, mounted
 * at the end: `/{id}/schedules` (chatbots-schedules.ts), `/{id}/identity-secret`
 * (chatbots-identity-secret.ts), `/{id}/test` (chatbots-test.ts, the playground).
 */
export const chatbotsRouter = createRouter();
const tags = ['Chatbots'];
// Registered before the sub-routers are mounted, so it guards them too.
chatbotsRouter.use('*', authenticate, withOrg);

chatbotsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags,
    summary: 'Chatbots of the organization',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, query: BotListQuerySchema },
    responses: { 200: jsonContent(z.object({ data: z.array(BotSchema) }), 'Chatbots'), ...protectedErrors },
  }),
  async (c) => c.json({ data: await listBots(c.get('services'), c.get('org').organizationId, c.req.valid('query')) }, 200),
);

chatbotsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags,
    summary: 'Create a chatbot (admin); it starts as a draft',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, body: jsonBody(CreateBotSchema) },
    responses: { 201: jsonContent(BotSchema, 'Created'), ...protectedErrors },
  }),
  async (c) => {
    const principal = c.get('principal');
    const createdBy = principal.kind === 'user' ? principal.userId : null;
    return c.json(await createBot(c.get('services'), c.get('org').organizationId, createdBy, c.req.valid('json')), 201);
  },
);

chatbotsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}',
    tags,
    summary: 'One chatbot',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema },
    responses: { 200: jsonContent(BotSchema, 'The chatbot'), ...protectedErrors },
  }),
  async (c) => c.json(await showBot(c.get('services'), c.get('org').organizationId, c.req.valid('param').chatbot_id), 200),
);

chatbotsRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{chatbot_id}',
    tags,
    summary: 'Update settings, or pause (inactive) / archive / back to draft (admin)',
    description: 'To make a bot answer on the widget and channels, deploy it.',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema, body: jsonBody(UpdateBotSchema) },
    responses: { 200: jsonContent(BotSchema, 'Updated'), ...protectedErrors },
  }),
  async (c) => c.json(await updateBot(c.get('services'), c.get('org').organizationId, c.req.valid('param').chatbot_id, c.req.valid('json')), 200),
);

chatbotsRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{chatbot_id}',
    tags,
    summary: 'Delete a chatbot with its conversations (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema },
    responses: { 204: { description: 'Deleted' }, ...protectedErrors },
  }),
  async (c) => {
    await deleteBot(c.get('services'), c.get('org').organizationId, c.req.valid('param').chatbot_id);
    return c.body(null, 204);
  },
);

chatbotsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/config',
    tags,
    summary: 'The chatbot\u2019s settings',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema },
    responses: { 200: jsonContent(BotSettingsSchema, 'Settings'), ...protectedErrors },
  }),
  async (c) => {
    const bot = await showBot(c.get('services'), c.get('org').organizationId, c.req.valid('param').chatbot_id);
    // The settings are the bot minus its identity, status and counters.
    const { id: _id, slug: _slug, status: _status, conversationCount: _count, createdAt: _created, updatedAt: _updated, deployedAt: _deployed, ...settings } = bot;
    return c.json(settings, 200);
  },
);

chatbotsRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{chatbot_id}/config',
    tags,
    summary: 'Change settings (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema, body: jsonBody(BotSettingsSchema.partial()) },
    responses: { 200: jsonContent(BotSchema, 'Updated chatbot'), ...protectedErrors },
  }),
  async (c) => c.json(await updateBot(c.get('services'), c.get('org').organizationId, c.req.valid('param').chatbot_id, c.req.valid('json')), 200),
);

chatbotsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{chatbot_id}/deploy',
    tags,
    summary: 'Put the chatbot live (admin): the widget and channels answer only for active bots',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema },
    responses: { 200: jsonContent(BotSchema, 'Active'), ...protectedErrors },
  }),
  async (c) => c.json(await deployBot(c.get('services'), c.get('org').organizationId, c.req.valid('param').chatbot_id), 200),
);

chatbotsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/conversations',
    tags,
    summary: 'The chatbot\u2019s conversations, newest first (playground excluded)',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema, query: CursorQuerySchema },
    responses: {
      200: jsonContent(z.object({ data: z.array(ConversationSchema), nextCursor: z.string().nullable() }), 'A page of conversations'),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const { db } = c.get('services');
    const bot = await findBot(db, organizationId, c.req.valid('param').chatbot_id);
    return c.json(await listBotConversations(db, organizationId, bot.id, c.req.valid('query')), 200);
  },
);

chatbotsRouter.route('/', chatbotsSchedulesRouter);
chatbotsRouter.route('/', chatbotsIdentitySecretRouter);
chatbotsRouter.route('/', chatbotsTestRouter);
chatbotsRouter.route('/', chatbotsFlowsRouter);
