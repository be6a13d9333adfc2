import { createRoute, type z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { and, eq, or } from 'drizzle-orm';
import { HTTPException } from 'hono/http-exception';
import { streamSSE } from 'hono/streaming';
import { bots } from '../../db/schema';
import { admitted } from '../core/chat/admission';
import { agentRepliesSince, findApiChat, handoffState, HUMAN_HOLDS_MESSAGE, listApiBots, MAX_API_USER_CHARS } from '../core/chat/api-chat';
import { chatTurn, languageOf, type ChatEvent, type PublicMessage } from '../core/chat/engine';
import { visitorSources } from '../core/chat/widget-visitor';
import { countTokens } from '../core/ingest/tokens';
import { randomToken } from '../lib/crypto';
import { capacityFailure } from '../lib/capacity';
import { ApiError } from '../lib/errors';
import type { AppEnv } from '../lib/env';
import { logError } from '../lib/log';
import { bearerSecurity, createRouter, jsonBody, jsonContent } from '../lib/openapi';
import { inOrg } from '../lib/tenancy';
import { claimAdmission } from '../middleware/admission';
import { API_KEY_PREFIX, authenticateApiKey } from '../middleware/auth';
import {
  ChatCompletionRequestSchema,
  ChatCompletionResponse,
  ModelListSchema,
  ModelParamsSchema,
  ModelSchema,
  openAIErrors,
  type OpenAIErrorSchema,
} from './openai.schemas';
import { MAX_MESSAGE_CHARS } from './widget.schemas';

/**
 * /api/v1/openai: the OpenAI Chat Completions API in front of an organization's bots, for any
 * OpenAI client (change the base URL and the key). `model` names a bot; the turn runs through the
 * same engine as the widget (channel `api`), so knowledge, instructions, business hours and
 * handoff apply. Authenticated with an organization API key holding the `chat` scope; errors
 * have OpenAI's shape, not the rest of the API's.
 */
export const openaiRouter = createRouter();
const tags = ['OpenAI-compatible'];

type OpenAIError = z.infer<typeof OpenAIErrorSchema>['error'];

class OpenAIFailure extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 413 | 415 | 429 | 500 | 503,
    readonly error: OpenAIError,
    readonly headers: Record<string, string> = {},
  ) {
    super(error.message);
  }
}

const invalidRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new OpenAIFailure(400, { message, type: 'invalid_request_error', param, code });

const modelNotFound = (model: string) =>
  new OpenAIFailure(404, { message: `The model \`${model}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', param: 'model', code: 'model_not_found' });

/** The rest of the API throws ApiError; on these paths it is told in OpenAI's words. */
function toOpenAIFailure(err: Error): OpenAIFailure {
  if (err instanceof OpenAIFailure) return err;
  if (err instanceof ApiError) {
    const headers = err.headers ?? {};
    switch (err.code) {
      case 'unauthorized':
      case 'invalid_token':
      case 'token_expired':
        return new OpenAIFailure(401, { message: err.message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' });
      case 'insufficient_scope':
      case 'forbidden':
        return new OpenAIFailure(403, { message: err.message, type: 'permission_error', param: null, code: err.code });
      case 'rate_limited':
        return new OpenAIFailure(429, { message: err.message, type: 'requests', param: null, code: 'rate_limit_exceeded' }, headers);
      case 'overloaded':
      case 'service_unavailable':
        return new OpenAIFailure(503, { message: err.message, type: 'server_error', param: null, code: err.code }, headers);
      case 'not_found':
        return new OpenAIFailure(404, { message: err.message, type: 'invalid_request_error', param: null, code: 'not_found' });
      case 'payload_too_large':
        return new OpenAIFailure(413, { message: err.message, type: 'invalid_request_error', param: null, code: err.code });
      case 'unsupported_media_type':
        // The status says what to change (the Content-Type), whatever shape the body has.
        return new OpenAIFailure(415, { message: err.message, type: 'invalid_request_error', param: null, code: err.code });
      case 'internal_error':
        break;
      default: {
        const first = Array.isArray(err.details) ? (err.details[0] as { path?: string } | undefined) : undefined;
        return invalidRequest(err.message, first?.path || null, err.code);
      }
    }
  }
  if (err instanceof HTTPException && err.status < 500) return invalidRequest(err.message || 'Malformed request');
  if (err instanceof SyntaxError) return invalidRequest('We could not parse the JSON body of your request.');
  const busy = capacityFailure(err);
  if (busy) return toOpenAIFailure(busy);
  logError('openai-compatible request failed', err);
  return new OpenAIFailure(500, { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: 'internal_error' });
}

/** The error handler of these paths; app.ts uses it too, for the guards that run before the router (body size, text check). */
export function openAIErrorResponse(err: Error, c: Context<AppEnv>) {
  const failure = toOpenAIFailure(err);
  for (const [name, value] of Object.entries(failure.headers)) c.header(name, value);
  return c.json({ error: failure.error }, failure.status);
}

export const OPENAI_PATH_PREFIX = '/api/v1/openai/';

openaiRouter.onError(openAIErrorResponse);

/** Only organization API keys with the `chat` scope; the organization is the key's. */
openaiRouter.use('*', async (c, next) => {
  const header = c.req.header('authorization') ?? '';
  const token = /^bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!token) throw new OpenAIFailure(401, { message: 'You didn\u2019t provide an API key: send "Authorization: Bearer vsk_…".', type: 'invalid_request_error', param: null, code: 'invalid_api_key' });
  if (!token.startsWith(API_KEY_PREFIX)) {
    throw new OpenAIFailure(401, { message: 'This endpoint takes an organization API key (vsk_…).', type: 'invalid_request_error', param: null, code: 'invalid_api_key' });
  }
  const principal = await authenticateApiKey(c, token, 'chat');
  c.set('principal', principal);
  c.set('org', { organizationId: principal.organizationId, role: principal.role });
  await next();
});

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

function modelOf(bot: { id: string; slug: string; name: string; createdAt: Date }) {
  return { id: bot.slug, object: 'model' as const, created: epochSeconds(bot.createdAt), owned_by: 'organization', versaai: { botId: bot.id, name: bot.name } };
}

openaiRouter.openapi(
  createRoute({
    method: 'get',
    path: '/models',
    tags,
    summary: 'The organization\u2019s active bots, as OpenAI models (API key with the chat scope)',
    security: bearerSecurity,
    responses: { 200: jsonContent(ModelListSchema, 'Models'), 401: openAIErrors[401], 403: openAIErrors[403], 429: openAIErrors[429] },
  }),
  async (c) => {
    const rows = await listApiBots(c.get('services').db, c.get('org').organizationId);
    return c.json({ object: 'list' as const, data: rows.map(modelOf) }, 200);
  },
);

openaiRouter.openapi(
  createRoute({
    method: 'get',
    path: '/models/{model}',
    tags,
    summary: 'One active bot by id or slug, as an OpenAI model',
    security: bearerSecurity,
    request: { params: ModelParamsSchema },
    responses: { 200: jsonContent(ModelSchema, 'Model'), ...openAIErrors },
  }),
  async (c) => {
    const { model } = c.req.valid('param');
    const byId = /^[0-9a-f-]{36}$/i.test(model) ? [eq(bots.id, model)] : [];
    const [row] = await c
      .get('services')
      .db.select({ id: bots.id, slug: bots.slug, name: bots.name, createdAt: bots.createdAt })
      .from(bots)
      .where(inOrg(bots, c.get('org').organizationId, eq(bots.status, 'active'), and(or(eq(bots.slug, model), ...byId))))
      .limit(1);
    if (!row) throw modelNotFound(model);
    return c.json(modelOf(row), 200);
  },
);

type RequestMessage = z.infer<typeof ChatCompletionRequestSchema>['messages'][number];

function textOf(message: RequestMessage): string {
  if (typeof message.content === 'string') return message.content;
  if (!Array.isArray(message.content)) return '';
  return message.content.map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('');
}

/** The new turn is the last message, the end user's; earlier ones are the client's copy of the history. */
function newUserText(messages: RequestMessage[]): string {
  const last = messages.at(-1)!;
  if (last.role !== 'user') throw invalidRequest('The last message must have the role "user": it is the end user\u2019s new message.', `messages.${messages.length - 1}.role`);
  const text = textOf(last).trim();
  if (!text) throw invalidRequest('The last message has no text.', `messages.${messages.length - 1}.content`);
  if (text.length > MAX_MESSAGE_CHARS) throw invalidRequest(`The message is longer than ${MAX_MESSAGE_CHARS} characters.`, `messages.${messages.length - 1}.content`, 'string_above_max_length');
  return text;
}

function endUserOf(c: Context<AppEnv>, fromBody: string | undefined): string | null {
  const user = (fromBody ?? c.req.header('x-versaai-user') ?? '').trim();
  if (user.length > MAX_API_USER_CHARS) throw invalidRequest(`The user is longer than ${MAX_API_USER_CHARS} characters.`, 'user');
  return user || null;
}

interface TurnOutcome {
  content: string;
  message: PublicMessage | null;
  userMessageId: string | null;
  /** Who holds the conversation after the turn, when the engine knows it. */
  handoff?: 'bot' | 'requested' | 'human';
}

/** What the client gets while a person holds the conversation: their new replies, or a status text. */
async function humanReply(c: Context<AppEnv>, conversationId: string, userMessageId: string | null, text: string, botLanguage: 'es' | 'en' | 'auto') {
  const replies = userMessageId ? await agentRepliesSince(c.get('services').db, conversationId, userMessageId) : [];
  return replies.length > 0 ? replies.join('\n\n') : HUMAN_HOLDS_MESSAGE[languageOf({ language: botLanguage }, text)];
}

function usageOf(requestMessages: RequestMessage[], outcome: TurnOutcome) {
  const prompt = outcome.message?.inputTokens ?? countTokens(requestMessages.map(textOf).join('\n'));
  const completion = outcome.message?.outputTokens ?? countTokens(outcome.content);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Follows the engine's events: the stored question, the streamed text, the stored answer (none while a person holds it). */
function apply(outcome: TurnOutcome, event: ChatEvent) {
  if (event.type === 'message' && event.message.role === 'user') outcome.userMessageId = event.message.id;
  else if (event.type === 'token') outcome.content += event.text;
  else if (event.type === 'done') {
    outcome.message = event.message;
    outcome.handoff = event.handoff;
    if (event.message) outcome.content = event.message.content;
  }
}

function citationsOf(message: PublicMessage | null) {
  return message ? visitorSources(message.sources) : [];
}

openaiRouter.openapi(
  createRoute({
    method: 'post',
    path: '/chat/completions',
    tags,
    summary: 'Chat with a bot in OpenAI\u2019s Chat Completions format (API key with the chat scope)',
    description:
      '`model` is a bot\u2019s id or slug. The bot\u2019s knowledge, instructions and business hours apply; `user` (or the `X-VersaAI-User` header) keeps one conversation per end user, shown in the inbox as channel API. While a person holds it, the bot is silent: the answer is the person\u2019s new replies or a status text, with `versaai.status: "human"`. Citations come in `choices[0].message.citations` (or the last chunk\u2019s `citations`). Rate limited per key (429 with Retry-After). Errors have OpenAI\u2019s shape.',
    security: bearerSecurity,
    request: { body: jsonBody(ChatCompletionRequestSchema) },
    responses: { 200: ChatCompletionResponse, ...openAIErrors },
  }),
  async (c) => {
    const body = c.req.valid('json');
    const services = c.get('services');
    const principal = c.get('principal');
    if (principal.kind !== 'apiKey') throw new Error('unreachable: the middleware only admits API keys');
    const text = newUserText(body.messages);
    const user = endUserOf(c, body.user);
    const target = await findApiChat(services, principal.organizationId, body.model, user, principal.apiKeyId);
    if (!target) throw modelNotFound(body.model);
    const { bot, conversationId } = target;
    // The slot taken at the door (middleware/admission.ts), before the key, the bot or the
    // conversation was looked up: a refused request stored nothing and is sent again as it is.
    const release = await claimAdmission(c);
    const events = admitted(release, chatTurn(services, { bot, conversationId, channel: 'api', text }));
    const base = { id: `chatcmpl-${randomToken(18)}`, created: epochSeconds(new Date()), model: body.model };
    const finish = async (outcome: TurnOutcome) => {
      // The engine says who holds the conversation after its turn; only a turn that cannot (a flow's) costs a query.
      const status = outcome.message ? (outcome.handoff ?? (await handoffState(services.db, conversationId))) : ('human' as const);
      return { conversationId, messageId: outcome.message?.id ?? null, status };
    };

    if (body.stream) {
      c.header('Cache-Control', 'no-store');
      c.header('X-Accel-Buffering', 'no');
      return streamSSE(c, async (stream) => {
        const chunk = (delta: Record<string, string>, finishReason: 'stop' | null = null, extra: Record<string, unknown> = {}) =>
          stream.writeSSE({
            data: JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }], ...extra }),
          });
        try {
          await chunk({ role: 'assistant', content: '' });
          const outcome: TurnOutcome = { content: '', message: null, userMessageId: null };
          for await (const event of events) {
            if (event.type === 'token') await chunk({ content: event.text });
            apply(outcome, event);
          }
          if (!outcome.message) {
            outcome.content = await humanReply(c, conversationId, outcome.userMessageId, text, bot.language);
            await chunk({ content: outcome.content });
          }
          await chunk({}, 'stop', { citations: citationsOf(outcome.message), versaai: await finish(outcome) });
          if (body.stream_options?.include_usage) {
            await stream.writeSSE({ data: JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage: usageOf(body.messages, outcome) }) });
          }
          await stream.writeSSE({ data: '[DONE]' });
        } catch (error) {
          const failure = toOpenAIFailure(error instanceof Error ? error : new Error(String(error)));
          await stream.writeSSE({ data: JSON.stringify({ error: failure.error }) });
        }
      });
    }

    const outcome: TurnOutcome = { content: '', message: null, userMessageId: null };
    for await (const event of events) apply(outcome, event);
    if (!outcome.message) outcome.content = await humanReply(c, conversationId, outcome.userMessageId, text, bot.language);
    return c.json(
      {
        ...base,
        object: 'chat.completion' as const,
        choices: [
          {
            index: 0,
            message: { role: 'assistant' as const, content: outcome.content, refusal: null, citations: citationsOf(outcome.message) },
            finish_reason: 'stop' as const,
            logprobs: null,
          },
        ],
        usage: usageOf(body.messages, outcome),
        versaai: await finish(outcome),
      },
      200,
    );
  },
);
