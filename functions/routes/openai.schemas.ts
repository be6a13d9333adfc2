import { z } from '@hono/zod-openapi';
import { MAX_API_USER_CHARS } from '../core/chat/api-chat';
import { JsonValueSchema } from '../lib/openapi';
import { MAX_MESSAGE_CHARS } from './widget.schemas';

/**
 * OpenAI's Chat Completions wire format, as far as VersaAI serves it. Fields OpenAI defines that
 * a bot does not use (temperature, tools, n…) are accepted and ignored: the bot's own settings
 * decide. What VersaAI adds rides in extra fields (`citations`, `versaai`) that OpenAI clients ignore.
 */

const TextPartSchema = z.object({ type: z.literal('text'), text: z.string() });
const ContentSchema = z.union([z.string(), z.array(z.union([TextPartSchema, z.object({ type: z.string() }).catchall(JsonValueSchema)]))]).nullable().optional();

// Other fields OpenAI defines (tool calls, names…) are accepted as they come: `catchall`.
const RequestMessageSchema = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
    content: ContentSchema,
    name: z.string().optional(),
  })
  .catchall(JsonValueSchema);

export const ChatCompletionRequestSchema = z
  .object({
    model: z.string().min(1).max(100).openapi({ description: 'The bot\u2019s id or slug (GET /api/v1/openai/models)', example: 'soporte' }),
    messages: z
      .array(RequestMessageSchema)
      .min(1)
      .openapi({ description: 'The last message must be the end user\u2019s new one; earlier ones are accepted, but the memory is the stored conversation' }),
    stream: z.boolean().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).catchall(JsonValueSchema).nullable().optional(),
    user: z
      .string()
      .min(1)
      .max(MAX_API_USER_CHARS)
      .optional()
      .openapi({ description: 'The end user: one conversation per user and bot, shown in the inbox as channel API. The X-VersaAI-User header does the same.' }),
  })
  .catchall(JsonValueSchema)
  .openapi('ChatCompletionRequest');

export const OpenAIErrorSchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.enum(['invalid_request_error', 'authentication_error', 'permission_error', 'not_found_error', 'requests', 'server_error']),
      param: z.string().nullable(),
      code: z.string().nullable().openapi({ example: 'model_not_found' }),
    }),
  })
  .openapi('OpenAIError');

export const openAIErrorResponse = (description: string) => ({ description, content: { 'application/json': { schema: OpenAIErrorSchema } } });

export const openAIErrors = {
  400: openAIErrorResponse('Invalid request (`invalid_request_error`)'),
  401: openAIErrorResponse('Missing, invalid or revoked API key (`invalid_api_key`)'),
  403: openAIErrorResponse('The key lacks the `chat` scope (`insufficient_scope`)'),
  404: openAIErrorResponse('No active bot with that id or slug in the key\u2019s organization (`model_not_found`)'),
  413: openAIErrorResponse('The body is over the size limit (`payload_too_large`)'),
  415: openAIErrorResponse('The body is not JSON (`unsupported_media_type`)'),
  429: openAIErrorResponse('Over the key\u2019s requests per minute (`rate_limit_exceeded`, with Retry-After)'),
  503: openAIErrorResponse('The assistant is busy (`overloaded`, with Retry-After)'),
} as const;

export const ModelSchema = z
  .object({
    id: z.string().openapi({ description: 'The bot\u2019s slug (its id works as well)', example: 'soporte' }),
    object: z.literal('model'),
    created: z.number().int(),
    owned_by: z.string(),
    versaai: z.object({ botId: z.string(), name: z.string() }),
  })
  .openapi('OpenAIModel');

export const ModelListSchema = z.object({ object: z.literal('list'), data: z.array(ModelSchema) }).openapi('OpenAIModelList');

export const ModelParamsSchema = z.object({ model: z.string().min(1).max(100).openapi({ param: { name: 'model', in: 'path' }, example: 'soporte' }) });

export const CitationSchema = z
  .object({
    title: z.string(),
    section: z.string().optional(),
    url: z.string().optional(),
    documentId: z.string(),
    chunkId: z.string(),
    score: z.number(),
    page: z.number().optional(),
  })
  .openapi('OpenAICitation');

export const VersaAIFieldsSchema = z
  .object({
    conversationId: z.string(),
    messageId: z.string().nullable().openapi({ description: 'The stored answer; null when a person holds the conversation' }),
    status: z.enum(['bot', 'requested', 'human']).openapi({
      description: '`human`: a person holds the conversation and the bot is silent (the content is their reply, or a status text); `requested`: a person was asked for',
    }),
  })
  .openapi('VersaAIFields');

export const UsageSchema = z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() }).openapi('OpenAIUsage');

export const ChatCompletionSchema = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        message: z.object({ role: z.literal('assistant'), content: z.string(), refusal: z.null(), citations: z.array(CitationSchema) }),
        finish_reason: z.enum(['stop', 'length']),
        logprobs: z.null(),
      }),
    ),
    usage: UsageSchema,
    versaai: VersaAIFieldsSchema,
  })
  .openapi('ChatCompletion');

export const ChatCompletionResponse = {
  description: `A \`chat.completion\`, or with \`stream: true\` Server-Sent Events: \`chat.completion.chunk\` objects (the last carries \`finish_reason\`, \`citations\` and \`versaai\`), a usage chunk when \`stream_options.include_usage\` is set, then \`data: [DONE]\`. Messages up to ${MAX_MESSAGE_CHARS} characters.`,
  content: { 'application/json': { schema: ChatCompletionSchema }, 'text/event-stream': { schema: z.string() } },
};
