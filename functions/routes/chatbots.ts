import { createRoute, z } from '@hono/zod-openapi';
import { asc, desc, eq, ilike, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { bots, contacts, conversations, organizations, schedules } from '../../db/schema';
import { botExtras, findBot, publicBot, setKnowledgeBases } from '../core/chat/bots';
import { forgetBot, loadBotRuntime } from '../core/chat/bot-runtime';
import { chatTurn } from '../core/chat/engine';
import { listBotConversations } from '../core/conversations/read';
import { orgProviderKeys } from '../core/models/org-keys';
import { slugify } from '../core/orgs/organizations';
import { ConversationSchema } from './conversations';
import { decryptSecret, encryptSecret, randomToken } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import type { AppEnv } from '../lib/env';
import { CursorQuerySchema, OrgHeaderSchema, bearerSecurity, createRouter, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { streamChatEvents } from '../lib/sse';
import { inOrg } from '../lib/tenancy';
import { authenticate, minRole, requireUser, withOrg } from '../middleware/auth';
import {
  BotParamsSchema,
  BotSchema,
  BotSettingsSchema,
  CreateBotSchema,
  PlaygroundBodySchema,
  ScheduleInputSchema,
  ScheduleSchema,
  UpdateBotSchema,
} from './chatbots.schemas';

export const chatbotsRouter = createRouter();
const tags = ['Chatbots'];
chatbotsRouter.use('*', authenticate, withOrg);

type BotSettings = z.infer<typeof BotSettingsSchema>;
/** The row's text columns (personality, language…) hold exactly the enum values the schema lists. */
type BotOut = z.infer<typeof BotSchema>;
const asBotOut = (bot: ReturnType<typeof publicBot>) => bot as unknown as BotOut;

async function respondWithBot<S extends 200 | 201 = 200>(c: Context<AppEnv>, botId: string, status: S = 200 as S) {
  const { organizationId } = c.get('org');
  const { db } = c.get('services');
  const bot = await findBot(db, organizationId, botId);
  const extras = await botExtras(db, organizationId, [bot.id]);
  return c.json(asBotOut(publicBot(bot, extras.get(bot.id))), status);
}

/** Validates cross-field settings, writes them, and drops the cached runtime copy. */
async function applySettings(c: Context<AppEnv>, botId: string, input: Partial<BotSettings> & { status?: string }) {
  const services = c.get('services');
  const { organizationId } = c.get('org');
  const { knowledgeBaseIds, ...columns } = input;
  if (columns.model || columns.fallbackModel) {
    const keys = await orgProviderKeys(services, organizationId);
    if (columns.model) services.models.resolve(columns.model, keys);
    if (columns.fallbackModel) services.models.resolve(columns.fallbackModel, keys);
  }
  if (Object.keys(columns).length > 0) {
    await services.db.update(bots).set(columns as Partial<typeof bots.$inferInsert>).where(inOrg(bots, organizationId, eq(bots.id, botId)));
  }
  if (knowledgeBaseIds) await setKnowledgeBases(services.db, organizationId, botId, knowledgeBaseIds);
  await forgetBot(services, botId);
}

/** PUT /{id} and PUT /{id}/config: the bot must be the organization's; then the same update. */
async function updateBot(c: Context<AppEnv>, botId: string, input: Partial<BotSettings> & { status?: string }) {
  await findBot(c.get('services').db, c.get('org').organizationId, botId);
  await applySettings(c, botId, input);
  return respondWithBot(c, botId);
}

chatbotsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags,
    summary: 'Chatbots of the organization',
    security: bearerSecurity,
    request: {
      headers: OrgHeaderSchema,
      query: z.object({ status: z.enum(['draft', 'active', 'inactive', 'archived']).optional(), q: z.string().max(200).optional() }),
    },
    responses: { 200: jsonContent(z.object({ data: z.array(BotSchema) }), 'Chatbots'), ...protectedErrors },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const { db } = c.get('services');
    const { status, q } = c.req.valid('query');
    const rows = await db
      .select()
      .from(bots)
      .where(inOrg(bots, organizationId, status ? eq(bots.status, status) : undefined, q ? ilike(bots.name, `%${q.replace(/[%_\\]/g, '\\$&')}%`) : undefined))
      .orderBy(desc(bots.createdAt));
    const extras = await botExtras(db, organizationId, rows.map((r) => r.id));
    return c.json({ data: rows.map((r) => asBotOut(publicBot(r, extras.get(r.id)))) }, 200);
  },
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
    const { organizationId } = c.get('org');
    const services = c.get('services');
    const { knowledgeBaseIds, ...input } = c.req.valid('json');
    const keys = await orgProviderKeys(services, organizationId);
    const model = input.model ?? services.models.list(keys).find((m) => m.available && m.provider !== 'builtin')?.id ?? services.models.defaultModel;
    services.models.resolve(model, keys);
    const principal = c.get('principal');
    const [bot] = await services.db
      .insert(bots)
      .values({
        ...input,
        model,
        organizationId,
        slug: `${slugify(input.name)}-${crypto.randomUUID().slice(0, 6)}`,
        createdBy: principal.kind === 'user' ? principal.userId : null,
      })
      .returning();
    if (knowledgeBaseIds?.length) await setKnowledgeBases(services.db, organizationId, bot.id, knowledgeBaseIds);
    return respondWithBot(c, bot.id, 201);
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
  (c) => respondWithBot(c, c.req.valid('param').chatbot_id),
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
  async (c) => updateBot(c, c.req.valid('param').chatbot_id, c.req.valid('json')),
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
    const { chatbot_id } = c.req.valid('param');
    const services = c.get('services');
    const bot = await findBot(services.db, c.get('org').organizationId, chatbot_id);
    await services.db.delete(bots).where(eq(bots.id, bot.id));
    await forgetBot(services, bot.id);
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
    const { organizationId } = c.get('org');
    const { db } = c.get('services');
    const bot = await findBot(db, organizationId, c.req.valid('param').chatbot_id);
    const extras = await botExtras(db, organizationId, [bot.id]);
    const full = publicBot(bot, extras.get(bot.id));
    const settings = Object.fromEntries(Object.keys(BotSettingsSchema.shape).map((k) => [k, full[k as keyof typeof full]]));
    return c.json(settings as BotSettings, 200);
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
  async (c) => updateBot(c, c.req.valid('param').chatbot_id, c.req.valid('json')),
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
  async (c) => {
    const { chatbot_id } = c.req.valid('param');
    const services = c.get('services');
    const bot = await findBot(services.db, c.get('org').organizationId, chatbot_id);
    services.models.resolve(bot.model, await orgProviderKeys(services, bot.organizationId));
    await services.db.update(bots).set({ status: 'active', deployedAt: new Date() }).where(eq(bots.id, bot.id));
    await forgetBot(services, bot.id);
    return respondWithBot(c, bot.id);
  },
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
    const { cursor, limit } = c.req.valid('query');
    return c.json((await listBotConversations(db, organizationId, bot.id, { cursor, limit })) as never, 200);
  },
);

// ---- business hours -----------------------------------------------------------------------

const ScheduleParamsSchema = BotParamsSchema.extend({ schedule_id: z.uuid() });

async function listSchedules(c: Context<AppEnv>, botId: string) {
  const { organizationId } = c.get('org');
  const { db } = c.get('services');
  const [rows, [org]] = await Promise.all([
    db.select().from(schedules).where(inOrg(schedules, organizationId, eq(schedules.botId, botId))).orderBy(asc(schedules.weekday), asc(schedules.opensAt)),
    db.select({ timezone: organizations.timezone }).from(organizations).where(eq(organizations.id, organizationId)),
  ]);
  return {
    data: rows.map((r) => ({ id: r.id, weekday: r.weekday, opensAt: r.opensAt.slice(0, 5), closesAt: r.closesAt.slice(0, 5) })),
    timezone: org.timezone,
  };
}

chatbotsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/schedules',
    tags,
    summary: 'Business hours (in the organization\u2019s timezone); none means always open',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema },
    responses: { 200: jsonContent(z.object({ data: z.array(ScheduleSchema), timezone: z.string() }), 'Intervals'), ...protectedErrors },
  }),
  async (c) => {
    const { chatbot_id } = c.req.valid('param');
    await findBot(c.get('services').db, c.get('org').organizationId, chatbot_id);
    return c.json(await listSchedules(c, chatbot_id), 200);
  },
);

chatbotsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{chatbot_id}/schedules',
    tags,
    summary: 'Add an opening interval (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema, body: jsonBody(ScheduleInputSchema) },
    responses: { 201: jsonContent(ScheduleSchema, 'Added'), ...protectedErrors },
  }),
  async (c) => {
    const { chatbot_id } = c.req.valid('param');
    const services = c.get('services');
    const bot = await findBot(services.db, c.get('org').organizationId, chatbot_id);
    const [row] = await services.db.insert(schedules).values({ ...c.req.valid('json'), botId: bot.id, organizationId: bot.organizationId }).returning();
    await forgetBot(services, bot.id);
    return c.json({ id: row.id, weekday: row.weekday, opensAt: row.opensAt.slice(0, 5), closesAt: row.closesAt.slice(0, 5) }, 201);
  },
);

chatbotsRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{chatbot_id}/schedules/{schedule_id}',
    tags,
    summary: 'Change an opening interval (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: ScheduleParamsSchema, body: jsonBody(ScheduleInputSchema) },
    responses: { 200: jsonContent(ScheduleSchema, 'Changed'), ...protectedErrors },
  }),
  async (c) => {
    const { chatbot_id, schedule_id } = c.req.valid('param');
    const services = c.get('services');
    const { organizationId } = c.get('org');
    const [row] = await services.db
      .update(schedules)
      .set(c.req.valid('json'))
      .where(inOrg(schedules, organizationId, eq(schedules.id, schedule_id), eq(schedules.botId, chatbot_id)))
      .returning();
    if (!row) throw new ApiError('not_found', 'Schedule not found');
    await forgetBot(services, chatbot_id);
    return c.json({ id: row.id, weekday: row.weekday, opensAt: row.opensAt.slice(0, 5), closesAt: row.closesAt.slice(0, 5) }, 200);
  },
);

chatbotsRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{chatbot_id}/schedules/{schedule_id}',
    tags,
    summary: 'Remove an opening interval (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: ScheduleParamsSchema },
    responses: { 204: { description: 'Removed' }, ...protectedErrors },
  }),
  async (c) => {
    const { chatbot_id, schedule_id } = c.req.valid('param');
    const services = c.get('services');
    const deleted = await services.db
      .delete(schedules)
      .where(inOrg(schedules, c.get('org').organizationId, eq(schedules.id, schedule_id), eq(schedules.botId, chatbot_id)))
      .returning({ id: schedules.id });
    if (deleted.length === 0) throw new ApiError('not_found', 'Schedule not found');
    await forgetBot(services, chatbot_id);
    return c.body(null, 204);
  },
);

// ---- identity verification ----------------------------------------------------------------

async function identitySecret(c: Context<AppEnv>, botId: string, rotate: boolean) {
  const services = c.get('services');
  const bot = await findBot(services.db, c.get('org').organizationId, botId);
  if (bot.identitySecretEncrypted && !rotate) return decryptSecret(bot.identitySecretEncrypted, services.config.ENCRYPTION_KEY);
  const secret = randomToken(32);
  await services.db
    .update(bots)
    .set({ identitySecretEncrypted: await encryptSecret(secret, services.config.ENCRYPTION_KEY) })
    .where(eq(bots.id, bot.id));
  await forgetBot(services, bot.id);
  return secret;
}

const SecretResponse = jsonContent(
  z.object({ secret: z.string().openapi({ description: 'HMAC-SHA256 key: hash = hex(HMAC(secret, visitor id)), computed on your server' }) }),
  'The secret',
);

chatbotsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/identity-secret',
    tags,
    summary: 'The key that signs visitor identities for identify() (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema },
    responses: { 200: SecretResponse, ...protectedErrors },
  }),
  async (c) => c.json({ secret: await identitySecret(c, c.req.valid('param').chatbot_id, false) }, 200),
);

chatbotsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{chatbot_id}/identity-secret',
    tags,
    summary: 'Rotate the identity key (admin); identities signed with the old one become unverified',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema },
    responses: { 200: SecretResponse, ...protectedErrors },
  }),
  async (c) => c.json({ secret: await identitySecret(c, c.req.valid('param').chatbot_id, true) }, 200),
);

// ---- playground -----------------------------------------------------------------------------

chatbotsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{chatbot_id}/test',
    tags,
    summary: 'Playground: talk to the chatbot (any status), streamed as Server-Sent Events',
    description:
      'Events: `message` (the stored question), `token` ({ text }), `sources`, `done` ({ message, conversationId }), `error`. Playground conversations stay out of the inbox and analytics.',
    security: bearerSecurity,
    'x-read-only': true,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema, body: jsonBody(PlaygroundBodySchema) },
    responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: z.string() } } }, ...protectedErrors },
  }),
  async (c) => {
    const principal = requireUser(c);
    const { organizationId } = c.get('org');
    const services = c.get('services');
    const { chatbot_id } = c.req.valid('param');
    const { message, conversationId } = c.req.valid('json');
    await findBot(services.db, organizationId, chatbot_id);
    const bot = await loadBotRuntime(services, chatbot_id);
    if (!bot) throw new ApiError('not_found', 'Chatbot not found');

    let conversation: string;
    if (conversationId) {
      const [existing] = await services.db
        .select({ id: conversations.id })
        .from(conversations)
        .where(inOrg(conversations, organizationId, eq(conversations.id, conversationId), eq(conversations.botId, chatbot_id), eq(conversations.channel, 'playground')));
      if (!existing) throw new ApiError('not_found', 'Playground conversation not found');
      conversation = existing.id;
    } else {
      const [contact] = await services.db
        .insert(contacts)
        .values({ organizationId, channel: 'playground', externalId: `user:${principal.userId}` })
        .onConflictDoUpdate({ target: [contacts.organizationId, contacts.channel, contacts.externalId], set: { lastSeenAt: sql`now()` } })
        .returning({ id: contacts.id });
      const [created] = await services.db
        .insert(conversations)
        .values({ organizationId, botId: chatbot_id, contactId: contact.id, channel: 'playground' })
        .returning({ id: conversations.id });
      conversation = created.id;
    }
    return streamChatEvents(c, chatTurn(services, { bot, conversationId: conversation, channel: 'playground', text: message }));
  },
);

