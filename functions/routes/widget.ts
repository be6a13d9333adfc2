import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { storedAttachment } from '../core/channels/media-outgoing';
import { admitted } from '../core/chat/admission';
import { chatTurn } from '../core/chat/engine';
import { isOpen } from '../core/chat/schedule';
import { rateAnswer, rateConversation, startVisitorSession, VISITOR_ROLES, visitorEvents, visitorHistory } from '../core/chat/widget-visitor';
import { conversationStreamKey } from '../core/events/publish';
import { serveLiveStream } from '../core/events/stream';
import type { AppEnv } from '../lib/env';
import { createRouter, errorResponse, jsonBody, jsonContent, publicErrors } from '../lib/openapi';
import { enforceRateLimit, refuseIfLimited } from '../lib/rate-limit';
import { clientIp } from '../lib/request';
import { streamChatEvents } from '../lib/sse';
import { claimAdmission } from '../middleware/admission';
import { chatLookupsOf, startChatLookups, visitorSession, widgetBot } from '../middleware/widget';
import {
  AttachmentPathSchema,
  BotPathSchema,
  ChatBodySchema,
  EventStreamResponse,
  FeedbackBodySchema,
  MAX_MESSAGE_CHARS,
  RatingBodySchema,
  SessionBodySchema,
  VisitorSessionSchema,
  WidgetConfigSchema,
  WidgetMessageSchema,
  WidgetStatusSchema,
} from './widget.schemas';

/**
 * The public API the embeddable widget talks to. Only active bots answer; the browser's Origin
 * must be one of the bot's allowed origins (any when the list is empty); a visitor is a signed
 * session token, and chat is rate limited per session and per IP.
 */
export const widgetRouter = createRouter();
const tags = ['Widget'];
/** The chat's lookups, started at the app's door (app.ts): both limits and the bot share one KV round trip. */
export const widgetChatLookups = startChatLookups((c, session) => [
  { key: `widget:chat:session:${session.conversationId}`, limit: c.get('services').config.WIDGET_MESSAGES_PER_SESSION, windowSeconds: 60 },
  { key: `widget:chat:ip:${clientIp(c)}`, limit: c.get('services').config.WIDGET_MESSAGES_PER_IP, windowSeconds: 60 },
]);
widgetRouter.use('/:chatbot_id/*', widgetBot);
widgetRouter.use('/:chatbot_id', widgetBot);

/** What the bot middleware (middleware/widget.ts) can answer on every route, and the public guards. */
const widgetErrors = {
  403: errorResponse('This site (Origin) is not allowed to embed the chatbot'),
  404: errorResponse('The chatbot is not active'),
  ...publicErrors,
};

function publicConfig(c: Context<AppEnv>) {
  const bot = c.get('widgetBot');
  return {
    botId: bot.id,
    name: bot.name,
    language: bot.language,
    welcomeMessage: bot.welcomeMessage,
    online: bot.answerOutsideHours || isOpen(bot.schedules, bot.timezone),
    outOfHoursMessage: bot.outOfHoursMessage,
    widget: bot.widget,
    preChatForm: bot.preChatForm,
    requireIdentity: false,
  };
}

widgetRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/config',
    tags,
    summary: 'What the widget needs to render (public; active bots only)',
    request: { params: BotPathSchema },
    responses: { 200: jsonContent(WidgetConfigSchema, 'Config'), ...widgetErrors },
  }),
  (c) => {
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(publicConfig(c), 200);
  },
);

widgetRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/status',
    tags,
    summary: 'Whether the bot is answering now (business hours)',
    request: { params: BotPathSchema },
    responses: { 200: jsonContent(WidgetStatusSchema, 'Status'), ...widgetErrors },
  }),
  (c) => c.json({ status: 'active' as const, online: publicConfig(c).online }, 200),
);

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
      200: jsonContent(VisitorSessionSchema, 'Session'),
      401: errorResponse('The session token is not valid, or its chat no longer exists'),
      ...widgetErrors,
    },
  }),
  async (c) => {
    const bot = c.get('widgetBot');
    const services = c.get('services');
    await enforceRateLimit(services.kv, `widget:session:${bot.id}:${clientIp(c)}`, 30, 60, 'Too many new chat sessions; try again in a minute');
    const session = await startVisitorSession(services, bot, {
      ...c.req.valid('json'),
      origin: c.req.header('origin') ?? null,
      userAgent: c.req.header('user-agent') ?? null,
    });
    return c.json(session, 200);
  },
);

widgetRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/messages',
    tags,
    summary: 'The visitor\u2019s conversation (Bearer session token)',
    request: { params: BotPathSchema },
    responses: { 200: jsonContent(z.object({ data: z.array(WidgetMessageSchema) }), 'Messages'), 401: errorResponse('No or bad session'), ...widgetErrors },
  }),
  async (c) => {
    const s = await visitorSession(c);
    return c.json({ data: await visitorHistory(c.get('services').db, s.conversationId) }, 200);
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
      body: jsonBody(ChatBodySchema),
    },
    responses: {
      200: EventStreamResponse,
      401: errorResponse('No or bad session'),
      ...widgetErrors,
    },
  }),
  async (c) => {
    const { session: s, limits } = chatLookupsOf(c);
    const bot = c.get('widgetBot');
    const services = c.get('services');
    const [sessionLimit, ipLimit] = await limits;
    refuseIfLimited(sessionLimit!, 'You are sending messages too fast; wait a moment');
    refuseIfLimited(ipLimit!, 'Too many messages from this network; wait a moment');
    const { message, quickReply } = c.req.valid('json');
    // The slot taken at the door (middleware/admission.ts), before the message is stored: a
    // refused message stays with the widget, which sends it again after Retry-After.
    const release = await claimAdmission(c);
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
    request: { params: BotPathSchema, body: jsonBody(FeedbackBodySchema) },
    responses: { 204: { description: 'Saved' }, 401: errorResponse('No or bad session'), ...widgetErrors, 404: errorResponse('The chatbot is not active, or the message is not an answer in this conversation') },
  }),
  async (c) => {
    const s = await visitorSession(c);
    const { messageId, value } = c.req.valid('json');
    await rateAnswer(c.get('services').db, s.conversationId, messageId, value);
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
      body: jsonBody(RatingBodySchema),
    },
    responses: { 204: { description: 'Saved' }, 401: errorResponse('No or bad session'), ...widgetErrors },
  }),
  async (c) => {
    const s = await visitorSession(c);
    const { rating, comment } = c.req.valid('json');
    await rateConversation(c.get('services'), c.get('widgetBot').organizationId, s.conversationId, rating, comment);
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
      200: EventStreamResponse,
      401: errorResponse('No or bad session'),
      ...widgetErrors,
    },
  }),
  async (c) => {
    const s = await visitorSession(c);
    return serveLiveStream(c, { key: conversationStreamKey(s.conversationId), view: 'visitor', lastEventId: c.req.header('last-event-id') });
  },
);

widgetRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/messages/{message_id}/attachments/{index}',
    tags,
    summary: 'The bytes of a file in the visitor\u2019s conversation (Bearer session token)',
    description:
      'Only files of the messages the visitor sees (theirs, the bot\u2019s and the agents\u2019) in the session\u2019s own conversation; anything else is 404. Served like the inbox\u2019s files: images (JPEG, PNG, GIF, WebP), audio, video and PDF inline, anything else as an `application/octet-stream` download, always with `Content-Disposition` and `X-Content-Type-Options: nosniff`.',
    request: { params: AttachmentPathSchema },
    responses: {
      200: { description: 'The file', content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } },
      401: errorResponse('No or bad session'),
      ...widgetErrors,
      404: errorResponse('The chatbot is not active, or no such stored file in this conversation'),
    },
  }),
  async (c) => {
    const s = await visitorSession(c);
    const { message_id, index } = c.req.valid('param');
    const where = { organizationId: c.get('widgetBot').organizationId, conversationId: s.conversationId, messageId: message_id, index, roles: VISITOR_ROLES };
    const file = await storedAttachment(c.get('services'), where, false);
    return c.body(file.body, 200, file.headers) as never;
  },
);
