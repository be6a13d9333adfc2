import { createRoute, z } from '@hono/zod-openapi';
import { loadBotRuntime } from '../core/chat/bot-runtime';
import { findBot } from '../core/chat/bots';
import { chatTurn } from '../core/chat/engine';
import { playgroundConversation } from '../core/chat/playground';
import { ApiError } from '../lib/errors';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonBody, protectedErrors } from '../lib/openapi';
import { streamChatEvents } from '../lib/sse';
import { requireUser } from '../middleware/auth';
import { BotParamsSchema, PlaygroundBodySchema } from './chatbots.schemas';

/** /api/v1/chatbots/{id}/test: the playground. Mounted by chatbots.ts, whose middleware authenticates. */
export const chatbotsTestRouter = createRouter();

chatbotsTestRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{chatbot_id}/test',
    tags: ['Chatbots'],
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
    const conversation = await playgroundConversation(services.db, organizationId, chatbot_id, principal.userId, conversationId);
    return streamChatEvents(c, chatTurn(services, { bot, conversationId: conversation, channel: 'playground', text: message }));
  },
);
