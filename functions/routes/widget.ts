import { createRoute, z } from '@hono/zod-openapi';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { contacts, conversations, messages, users } from '../../db/schema';
import { loadBotRuntime } from '../core/chat/bot-runtime';
import { admitted } from '../core/chat/admission';
import { chatTurn, toPublicMessage, type ChatEvent, type PublicMessage, type PublicSource } from '../core/chat/engine';
import { isOpen } from '../core/chat/schedule';
import { identityHash, signWidgetSession, verifyWidgetSession, type WidgetSession } from '../core/chat/widget-session';
import { decryptSecret, randomToken, timingSafeEqual } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import type { AppEnv } from '../lib/env';
import { createRouter, errorResponse, jsonBody, jsonContent, publicErrors } from '../lib/openapi';
import { enforceRateLimit } from '../lib/rate-limit';
import { clientIp } from '../lib/request';
import { streamChatEvents } from '../lib/sse';
import { conversationStreamKey } from '../core/events/publish';
import { serveEventStream } from '../core/events/stream';
import { firstName, publishConversationUpdated, type MessageEventData } from '../core/conversations/events';

/**
 * The public API the embeddable widget talks to. Only active bots answer; the browser's Origin
 * must be one of the bot's allowed origins (any when the list is empty); a visitor is a signed
 * session token, and chat is rate limited per session and per IP.
 */
export const widgetRouter = createRouter();
const tags = ['Widget'];
const MAX_MESSAGE_CHARS = 2000;

const BotPathSchema = z.object({ chatbot_id: z.uuid().openapi({ param: { name: 'chatbot_id', in: 'path' } }) });

function originAllowed(allowed: string[], origin: string | undefined): boolean {
  if (!origin || allowed.length === 0) return true;
  return allowed.includes(origin);
}

/** Loads the active bot, enforces its allowed origins, and answers CORS for them. */
const widgetBot = createMiddleware<AppEnv>(async (c, next) => {
  const botId = c.req.param('chatbot_id') ?? '';
  const origin = c.req.header('origin');
  const bot = /^[0-9a-f-]{36}$/i.test(botId) ? await loadBotRuntime(c.get('services'), botId) : null;
  if (!bot || bot.status !== 'active') {
    // Readable by the embedding page, so the widget can tell "not available" from a network error.
    if (origin) c.header('Access-Control-Allow-Origin', origin);
    throw new ApiError('not_found', 'This chatbot is not available');
  }
  // A disallowed site gets no CORS header: the browser keeps the answer from it entirely.
  if (!originAllowed(bot.allowedOrigins, origin)) {
    throw new ApiError('forbidden', 'This site is not allowed to embed this chatbot');
  }
  if (origin) {
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Vary', 'Origin');
    c.header('Access-Control-Expose-Headers', 'Retry-After, X-Request-Id');
  }
  if (c.req.method === 'OPTIONS') {
    c.header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    c.header('Access-Control-Allow-Headers', 'Authorization, Content-Type, Last-Event-ID');
    c.header('Access-Control-Max-Age', '600');
    return c.body(null, 204);
  }
  c.set('widgetBot', bot);
  await next();
});

widgetRouter.use('/:chatbot_id/*', widgetBot);
widgetRouter.use('/:chatbot_id', widgetBot);

async function session(c: Context<AppEnv>): Promise<WidgetSession> {
  const header = c.req.header('authorization') ?? '';
  const token = header.toLowerCase().startsWith('bearer ') ? header.slice(7) : '';
  if (!token) throw new ApiError('unauthorized', 'Start a chat session first (POST .../session)');
  return verifyWidgetSession(token, c.get('widgetBot').id, c.get('services').config.JWT_SECRET);
}

function publicConfig(c: Context<AppEnv>) {
  const bot = c.get('widgetBot');
  return {
    botId: bot.id,
    name: bot.name,
    language: bot.language === 'en' ? ('en' as const) : bot.language === 'es' ? ('es' as const) : ('auto' as const),
    welcomeMessage: bot.welcomeMessage,
    online: bot.answerOutsideHours || isOpen(bot.schedules, bot.timezone),
    outOfHoursMessage: bot.outOfHoursMessage,
    widget: bot.widget,
    preChatForm: bot.preChatForm,
    requireIdentity: false,
  };
}

const ConfigSchema = z
  .object({
    botId: z.uuid(),
    name: z.string(),
    language: z.enum(['es', 'en', 'auto']),
    welcomeMessage: z.string().nullable(),
    online: z.boolean(),
    outOfHoursMessage: z.string().nullable(),
    widget: z.record(z.string(), z.unknown()),
    preChatForm: z.array(z.record(z.string(), z.unknown())),
    requireIdentity: z.boolean(),
  })
  .openapi('WidgetConfig');

widgetRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/config',
    tags,
    summary: 'What the widget needs to render (public; active bots only)',
    request: { params: BotPathSchema },
    responses: { 200: jsonContent(ConfigSchema, 'Config'), 403: errorResponse('Origin not allowed'), 404: errorResponse('Not active'), ...publicErrors },
  }),
  (c) => {
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(publicConfig(c) as unknown as z.infer<typeof ConfigSchema>, 200);
  },
);

widgetRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/status',
    tags,
    summary: 'Whether the bot is answering now (business hours)',
    request: { params: BotPathSchema },
    responses: { 200: jsonContent(z.object({ status: z.literal('active'), online: z.boolean() }), 'Status'), ...publicErrors },
  }),
  (c) => c.json({ status: 'active' as const, online: publicConfig(c).online }, 200),
);

const MessageSchema = z
  .object({
    id: z.uuid(),
    role: z.enum(['user', 'assistant', 'agent', 'system', 'note']),
    content: z.string(),
    createdAt: z.string(),
    sources: z
      .array(
        z.object({
          title: z.string().openapi({ description: 'The document\u2019s title or heading, never a file name', example: 'Preguntas frecuentes' }),
          section: z.string().optional().openapi({ description: 'The heading the passage is under', example: 'Envíos' }),
          url: z.string().optional().openapi({ description: 'The spot to read it: page URL with its anchor, or a PDF page', example: 'https://shop.example/envios#plazos' }),
          documentId: z.string(),
          chunkId: z.string(),
          score: z.number(),
          page: z.number().optional(),
        }),
      )
      .openapi({ description: 'Only the passages the answer used' }),
    feedback: z.number().nullable(),
    quickReplies: z
      .array(z.object({ id: z.string(), label: z.string() }))
      .optional()
      .openapi({ description: 'Buttons under the message (the offer of a person); send the tapped id as `quickReply`' }),
    author: z.object({ name: z.string() }).optional().openapi({ description: 'An agent\u2019s reply: who wrote it (first name)' }),
  })
  .openapi('WidgetMessage');

/** What a visitor sees of a source: the cited ones only (older answers, stored before citing was tracked, show all). */
function visitorSources(sources: PublicSource[]) {
  return sources.filter((source) => source.cited !== false).map(({ cited: _cited, ...source }) => source);
}

function visitorMessage(message: PublicMessage, authorName?: string | null) {
  const { id, role, content, createdAt, sources, feedback, quickReplies } = message;
  return {
    id,
    role,
    content,
    createdAt,
    sources: visitorSources(sources),
    feedback,
    ...(quickReplies ? { quickReplies } : {}),
    ...(role === 'agent' && authorName ? { author: { name: firstName(authorName) } } : {}),
  };
}

/** The chat stream as a visitor gets it: the sources the answer cited, once it is done. */
async function* visitorEvents(events: AsyncGenerator<ChatEvent>): AsyncGenerator<ChatEvent> {
  for await (const event of events) {
    // Retrieved passages are announced before the answer knows which it uses: hold them back.
    if (event.type === 'sources') continue;
    if (event.type === 'done' && event.message) {
      const message = { ...event.message, sources: visitorSources(event.message.sources) };
      if (message.sources.length > 0) yield { type: 'sources', sources: message.sources };
      yield { ...event, message };
      continue;
    }
    yield event;
  }
}

async function history(c: Context<AppEnv>, conversationId: string) {
  const rows = await c
    .get('services')
    .db.select({ message: messages, authorName: users.name })
    .from(messages)
    .leftJoin(users, eq(users.id, messages.authorUserId))
    .where(and(eq(messages.conversationId, conversationId), inArray(messages.role, ['user', 'assistant', 'agent'])))
    .orderBy(asc(messages.createdAt))
    .limit(200);
  return rows.map((row) => visitorMessage(toPublicMessage(row.message), row.authorName));
}

/** A verified identity (hash = HMAC of the id with the bot's secret) or null. */
async function verifiedIdentity(c: Context<AppEnv>, identity: { id: string; hash?: string } | undefined) {
  const bot = c.get('widgetBot');
  if (!identity?.hash || !bot.identitySecretEncrypted) return false;
  const secret = await decryptSecret(bot.identitySecretEncrypted, c.get('services').config.ENCRYPTION_KEY);
  return timingSafeEqual(await identityHash(secret, identity.id), identity.hash.toLowerCase());
}

const SessionBodySchema = z.object({
  sessionToken: z.string().max(2000).optional(),
  identity: z
    .object({ id: z.string().min(1).max(200), name: z.string().max(200).optional(), email: z.email().max(255).optional(), hash: z.string().max(128).optional() })
    .optional(),
  preChat: z.record(z.string(), z.string().max(1000)).optional(),
});

widgetRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{chatbot_id}/session',
    tags,
    summary: 'Start or resume a visitor session; returns the token and the history',
    description:
      'With a valid `sessionToken` the conversation is resumed. `identity.hash` = hex(HMAC-SHA256(bot identity secret, identity.id)) marks a logged-in visitor as verified; without it the identity is kept as unverified.',
    request: { params: BotPathSchema, body: jsonBody(SessionBodySchema) },
    responses: {
      200: jsonContent(
        z.object({
          sessionToken: z.string(),
          conversationId: z.uuid(),
          contact: z.object({ name: z.string().nullable(), email: z.string().nullable(), verified: z.boolean() }),
          messages: z.array(MessageSchema),
        }),
        'Session',
      ),
      ...publicErrors,
    },
  }),
  async (c) => {
    const bot = c.get('widgetBot');
    const services = c.get('services');
    const body = c.req.valid('json');
    await enforceRateLimit(services.kv, `widget:session:${bot.id}:${clientIp(c)}`, 30, 60, 'Too many new chat sessions; try again in a minute');

    const missing = bot.preChatForm.filter((f) => f.required && body.preChat !== undefined && !body.preChat[f.key]?.trim());
    if (missing.length > 0) {
      throw new ApiError('validation_failed', 'Fill in the required fields', {
        details: missing.map((f) => ({ path: `preChat.${f.key}`, message: 'Required', code: 'too_small' })),
      });
    }

    let current: WidgetSession | null = null;
    if (body.sessionToken) {
      current = await verifyWidgetSession(body.sessionToken, bot.id, services.config.JWT_SECRET);
    }
    const verified = await verifiedIdentity(c, body.identity);
    const pre = body.preChat ?? {};
    const name = body.identity?.name ?? pre.name ?? null;
    const email = body.identity?.email ?? pre.email ?? null;
    const attributes = {
      ...Object.fromEntries(Object.entries(pre).filter(([k]) => k !== 'name' && k !== 'email')),
      ...(body.identity ? { identityId: body.identity.id, identityVerified: verified } : {}),
    };

    let contactId: string;
    let conversationId: string;
    if (current) {
      contactId = current.contactId;
      conversationId = current.conversationId;
      const [exists] = await services.db
        .select({ id: conversations.id })
        .from(conversations)
        .where(and(eq(conversations.id, conversationId), eq(conversations.botId, bot.id)));
      if (!exists) throw new ApiError('invalid_token', 'This chat no longer exists; start a new one');
      if (name || email || Object.keys(attributes).length) {
        await services.db
          .update(contacts)
          .set({
            ...(name ? { name } : {}),
            ...(email ? { email } : {}),
            attributes: sql`${contacts.attributes} || ${JSON.stringify(attributes)}::jsonb`,
            lastSeenAt: new Date(),
          })
          .where(eq(contacts.id, contactId));
      }
    } else {
      // A verified visitor is the same contact on every device; anyone else is this browser.
      const externalId = verified ? `user:${body.identity!.id}` : `anon:${randomToken(16)}`;
      const [contact] = await services.db
        .insert(contacts)
        .values({ organizationId: bot.organizationId, channel: 'web', externalId, name, email, attributes, lastSeenAt: new Date() })
        .onConflictDoUpdate({
          target: [contacts.organizationId, contacts.channel, contacts.externalId],
          set: { lastSeenAt: new Date(), ...(name ? { name } : {}), ...(email ? { email } : {}) },
        })
        .returning({ id: contacts.id });
      const [conversation] = await services.db
        .insert(conversations)
        .values({
          organizationId: bot.organizationId,
          botId: bot.id,
          contactId: contact.id,
          channel: 'web',
          metadata: { origin: c.req.header('origin') ?? null, userAgent: c.req.header('user-agent')?.slice(0, 300) ?? null },
        })
        .returning({ id: conversations.id });
      contactId = contact.id;
      conversationId = conversation.id;
    }

    const [contact] = await services.db.select().from(contacts).where(eq(contacts.id, contactId));
    const token = await signWidgetSession({ botId: bot.id, contactId, conversationId }, services.config.JWT_SECRET);
    return c.json(
      {
        sessionToken: token,
        conversationId,
        contact: { name: contact.name, email: contact.email, verified: Boolean((contact.attributes as { identityVerified?: boolean }).identityVerified) },
        messages: (await history(c, conversationId)) as Array<z.infer<typeof MessageSchema>>,
      },
      200,
    );
  },
);

widgetRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/messages',
    tags,
    summary: 'The visitor\u2019s conversation (Bearer session token)',
    request: { params: BotPathSchema },
    responses: { 200: jsonContent(z.object({ data: z.array(MessageSchema) }), 'Messages'), 401: errorResponse('No or bad session'), ...publicErrors },
  }),
  async (c) => {
    const s = await session(c);
    return c.json({ data: (await history(c, s.conversationId)) as Array<z.infer<typeof MessageSchema>> }, 200);
  },
);

widgetRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{chatbot_id}/chat',
    tags,
    summary: 'Send a message; the answer streams back as Server-Sent Events (Bearer session token)',
    description: `Events: \`message\` (the stored question), \`token\` ({ text }), \`sources\` (the passages the answer cited, once it is complete), \`done\` ({ message }, with \`quickReplies\` when it offers a person), \`error\`. A tapped quick reply is sent as \`message\` (its label) with \`quickReply\` (its id). Messages up to ${MAX_MESSAGE_CHARS} characters; rate limited per session and per IP (429 with Retry-After).`,
    request: {
      params: BotPathSchema,
      body: jsonBody(
        z.object({
          message: z.string().trim().min(1).max(MAX_MESSAGE_CHARS),
          quickReply: z
            .string()
            .regex(/^[a-z0-9._-]{1,64}$/)
            .optional()
            .openapi({ description: 'The id of the quick-reply button the visitor tapped (its label goes in `message`)', example: 'handoff.yes' }),
        }),
      ),
    },
    responses: {
      200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: z.string() } } },
      401: errorResponse('No or bad session'),
      ...publicErrors,
    },
  }),
  async (c) => {
    const s = await session(c);
    const bot = c.get('widgetBot');
    const services = c.get('services');
    const { config } = services;
    await enforceRateLimit(services.kv, `widget:chat:session:${s.conversationId}`, config.WIDGET_MESSAGES_PER_SESSION, 60, 'You are sending messages too fast; wait a moment');
    await enforceRateLimit(services.kv, `widget:chat:ip:${clientIp(c)}`, config.WIDGET_MESSAGES_PER_IP, 60, 'Too many messages from this network; wait a moment');
    const { message, quickReply } = c.req.valid('json');
    // Refused before the message is stored: the widget keeps the text and sends it again.
    const release = services.admission ? await services.admission.enter() : () => {};
    const turn = chatTurn(services, { bot, conversationId: s.conversationId, channel: 'web', text: message, quickReply });
    return streamChatEvents(c, visitorEvents(admitted(release, turn)));
  },
);

widgetRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{chatbot_id}/feedback',
    tags,
    summary: 'Thumbs up (1) or down (-1) on one answer (Bearer session token)',
    request: { params: BotPathSchema, body: jsonBody(z.object({ messageId: z.uuid(), value: z.union([z.literal(1), z.literal(-1)]) })) },
    responses: { 204: { description: 'Saved' }, 401: errorResponse('No or bad session'), 404: errorResponse('Not an answer in this conversation'), ...publicErrors },
  }),
  async (c) => {
    const s = await session(c);
    const { messageId, value } = c.req.valid('json');
    const updated = await c
      .get('services')
      .db.update(messages)
      .set({ feedback: value })
      .where(and(eq(messages.id, messageId), eq(messages.conversationId, s.conversationId), eq(messages.role, 'assistant')))
      .returning({ id: messages.id });
    if (updated.length === 0) throw new ApiError('not_found', 'Message not found in this conversation');
    return c.body(null, 204);
  },
);

widgetRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{chatbot_id}/rating',
    tags,
    summary: 'Rate the conversation 1–5, with an optional comment (Bearer session token)',
    request: {
      params: BotPathSchema,
      body: jsonBody(z.object({ rating: z.number().int().min(1).max(5), comment: z.string().trim().max(2000).optional() })),
    },
    responses: { 204: { description: 'Saved' }, 401: errorResponse('No or bad session'), ...publicErrors },
  }),
  async (c) => {
    const s = await session(c);
    const { rating, comment } = c.req.valid('json');
    const services = c.get('services');
    await services.db
      .update(conversations)
      .set({ rating, ...(comment ? { feedback: comment } : {}) })
      .where(eq(conversations.id, s.conversationId));
    await publishConversationUpdated(services, c.get('widgetBot').organizationId, { id: s.conversationId, rating, feedback: comment ?? null }, ['rating']);
    return c.body(null, 204);
  },
);

widgetRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/events',
    tags,
    summary: 'Live events of the visitor\u2019s conversation: agents\u2019 replies and status (Server-Sent Events, Bearer session token)',
    description:
      'Events: `ready`, `message` (an agent\u2019s reply with its `author`, or a system note, the same shape as in history), `status` ({ status, handoff, changes }: `handoff` back to `bot` means the assistant answers again). Resume with `Last-Event-ID`; the server ends the response after a while and the widget reconnects.',
    request: { params: BotPathSchema },
    responses: {
      200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: z.string() } } },
      401: errorResponse('No or bad session'),
      ...publicErrors,
    },
  }),
  async (c) => {
    const s = await session(c);
    const { kv, config } = c.get('services');
    return serveEventStream<unknown>(c, kv, {
      key: conversationStreamKey(s.conversationId),
      lastEventId: c.req.header('last-event-id'),
      project: (event) => {
        if (event.type === 'message.created') {
          const { message } = event.data as unknown as MessageEventData;
          if (message.role !== 'agent' && message.role !== 'system') return null;
          return { event: 'message', data: { ...visitorMessage(message), ...(message.author ? { author: message.author } : {}) } };
        }
        if (event.type === 'conversation.updated') {
          const data = event.data as { conversation?: { status?: string; handoff?: string }; changes?: string[] };
          const conversation = data.conversation ?? {};
          if (!conversation.status && !conversation.handoff) return null;
          // `changes` lets the widget tell "the assistant is back" from any other update.
          return { event: 'status', data: { status: conversation.status ?? null, handoff: conversation.handoff ?? null, changes: data.changes ?? [] } };
        }
        return null;
      },
      pollMs: config.EVENTS_POLL_MS,
      maxDurationMs: config.EVENTS_STREAM_SECONDS * 1000,
    });
  },
);
