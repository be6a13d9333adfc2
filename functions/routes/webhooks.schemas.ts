import { z } from '@hono/zod-openapi';
import { createSelectSchema } from 'drizzle-zod';
import { webhookAttempts, webhookDeliveries, webhooks } from '../../db/schema';
import { WEBHOOK_EVENT_TYPES, type EventType } from '../core/events/types';
import { TEST_EVENT_TYPE } from '../core/webhooks/endpoints';
import { CursorQuerySchema } from '../lib/openapi';
import { ConversationSchema, MessageSchema } from './conversations.schemas';

/**
 * The webhooks API's contract. Endpoints, deliveries and attempts come from their tables
 * (drizzle-zod), with ISO strings for the timestamps; a delivery's payload is the event envelope
 * with each event's own `data`.
 */

export const SIGNING_DOC = `Every delivery is a POST with a JSON body \`{ id, type, createdAt, organizationId, data }\` (\`id\` is the event id, the same in every retry: dedupe on it) and the headers \`VersaAI-Event-Id\`, \`VersaAI-Event-Type\`, \`VersaAI-Delivery-Id\`, \`VersaAI-Delivery-Attempt\` and \`VersaAI-Signature: t=<unix seconds>,v1=<hex>\`, where the hex is HMAC-SHA256, keyed with the endpoint's whole secret (\`whsec_…\`), of \`<t>.<raw body>\`.

Verify it on the raw body before parsing, and refuse old timestamps (replays). In Node:

\`\`\`js
import { createHmac, timingSafeEqual } from 'node:crypto';

export function verifyVersaAISignature(rawBody, header, secret, toleranceSeconds = 300) {
  const items = String(header ?? '').split(',').map((part) => part.trim().split('='));
  const timestamp = Number(items.find(([key]) => key === 't')?.[1]);
  const signatures = items.filter(([key]) => key === 'v1').map(([, value]) => value);
  if (!Number.isInteger(timestamp) || signatures.length === 0) return false;
  if (Math.abs(Date.now() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(\`\${timestamp}.\${rawBody}\`).digest();
  return signatures.some((hex) => {
    const given = Buffer.from(hex, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
\`\`\`

Answer 2xx quickly (the default time limit is 10 seconds). Timeouts, connection failures, 5xx, 429 and 408 are retried with exponential back-off (by default 8 attempts over about 23 hours); other answers fail the delivery at once. After 10 deliveries in a row fail for good (by default), the endpoint is disabled and the organization's admins are mailed. URLs must be https on a public address.`;

export const EventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES as [EventType, ...EventType[]]).openapi({ example: 'message.created' });

const isoTimestamp = () => z.string().openapi({ format: 'date-time' });
const isoTimestampOrNull = () => z.string().nullable().openapi({ format: 'date-time' });

export const WebhookSchema = createSelectSchema(webhooks, {
  disabledAt: isoTimestampOrNull,
  lastDeliveryAt: isoTimestampOrNull,
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
})
  .pick({ id: true, name: true, url: true, isActive: true, failureCount: true, disabledAt: true, disabledReason: true, lastDeliveryAt: true, createdAt: true, updatedAt: true })
  .extend({
    name: z.string().openapi({ example: 'CRM sync' }),
    url: z.string().openapi({ example: 'https://hooks.example.com/versaai' }),
    // The column is text[]; the API only stores event types.
    events: z.array(EventTypeSchema),
    isActive: z.boolean().openapi({ description: 'False when turned off by an admin or disabled after persistent failures' }),
    failureCount: z.number().int().openapi({ description: 'Deliveries that failed for good in a row' }),
    disabledAt: isoTimestampOrNull().openapi({ description: 'When it was disabled for failing; null when not' }),
  })
  .openapi('Webhook');

export const SecretField = z.string().openapi({ example: 'whsec_3q2-7wJ4bFj9KXn1YfM0sWq8RzT5', description: 'The signing secret; shown only in this response' });
export const WebhookWithSecretSchema = WebhookSchema.extend({ secret: SecretField });

const AttemptSchema = createSelectSchema(webhookAttempts, { createdAt: isoTimestamp })
  .pick({ attempt: true, responseStatus: true, durationMs: true, responseExcerpt: true, error: true, createdAt: true })
  .extend({ responseExcerpt: z.string().nullable().openapi({ description: 'The first 2 KB of what the receiver answered' }) })
  .openapi('WebhookAttempt');

/** `conversation.created`: a conversation got its first message. */
const ConversationCreatedData = z.object({ conversationId: z.uuid(), channel: z.string() });
/** `conversation.updated`: what changed, with the new values (a read marker carries only the unread count). */
const ConversationUpdatedData = z.object({
  conversationId: z.uuid(),
  conversation: ConversationSchema.partial().extend({ id: z.uuid() }),
  changes: z.array(z.string()).openapi({ example: ['status', 'assignee'] }),
});
/** `conversation.handoff`: the bot asks for a person. */
const ConversationHandoffData = z.object({
  conversationId: z.uuid(),
  reason: z.string().openapi({ example: 'visitor_request' }),
  conversation: ConversationSchema.pick({ id: true, botId: true, channel: true, status: true, assigneeId: true, handoff: true }),
});
/** `message.created`, `message.updated`, `message.failed`. */
const MessageEventDataSchema = z.object({
  conversationId: z.uuid(),
  message: MessageSchema.omit({ author: true, metadata: true, error: true }).extend({
    authorUserId: z.uuid().nullable(),
    author: z.object({ name: z.string() }).optional().openapi({ description: 'An agent\u2019s reply: the agent\u2019s first name' }),
  }),
});
/** `document.ready`, `document.failed`. */
const DocumentEventData = z.object({
  documentId: z.uuid(),
  document: z.object({
    id: z.uuid(),
    knowledgeBaseId: z.uuid(),
    parentId: z.uuid().nullable(),
    name: z.string(),
    source: z.string(),
    sourceUrl: z.string().nullable(),
    status: z.string(),
    error: z.string().nullable(),
    chunkCount: z.number().int(),
    tokenCount: z.number().int(),
    updatedAt: isoTimestamp(),
  }),
});
/** `webhook.test`: sent from the dashboard to check an endpoint. */
const TestEventData = z.object({ webhookId: z.uuid(), message: z.string() });

export const WebhookPayloadSchema = z
  .object({
    id: z.string().openapi({ description: 'The event id, the same in every retry: dedupe on it', example: 'evt_5f0c3b7e9a7d4b6c8e2f1a0b9c8d7e6f' }),
    type: z.union([EventTypeSchema, z.literal(TEST_EVENT_TYPE)]),
    createdAt: isoTimestamp(),
    organizationId: z.uuid(),
    data: z.union([ConversationCreatedData, ConversationUpdatedData, ConversationHandoffData, MessageEventDataSchema, DocumentEventData, TestEventData]),
  })
  .openapi('WebhookPayload', { description: 'The body that is sent' });

export const DeliverySchema = createSelectSchema(webhookDeliveries, {
  nextAttemptAt: isoTimestampOrNull,
  deliveredAt: isoTimestampOrNull,
  createdAt: isoTimestamp,
})
  .pick({
    id: true,
    webhookId: true,
    eventId: true,
    event: true,
    status: true,
    attempts: true,
    responseStatus: true,
    durationMs: true,
    lastError: true,
    nextAttemptAt: true,
    deliveredAt: true,
    createdAt: true,
  })
  .extend({
    eventId: z.string().openapi({ example: 'evt_5f0c3b7e9a7d4b6c8e2f1a0b9c8d7e6f' }),
    event: z.string().openapi({ example: 'message.created' }),
    nextAttemptAt: isoTimestampOrNull().openapi({ description: 'When the next automatic attempt is due (pending deliveries)' }),
    payload: WebhookPayloadSchema,
    attemptLog: z.array(AttemptSchema),
  })
  .openapi('WebhookDelivery');

const urlField = z.string().trim().min(1).max(2048).openapi({ example: 'https://hooks.example.com/versaai', description: 'https, public address' });
const nameField = z.string().trim().max(200).openapi({ example: 'CRM sync', description: 'Defaults to the URL\u2019s host' });
const eventsField = z.array(EventTypeSchema).min(1).max(WEBHOOK_EVENT_TYPES.length * 2);

export const CreateWebhookSchema = z.object({ name: nameField.optional(), url: urlField, events: eventsField, isActive: z.boolean().optional() });
export const UpdateWebhookSchema = z.object({
  name: nameField.optional(),
  url: urlField.optional(),
  events: eventsField.optional(),
  isActive: z.boolean().optional().openapi({ description: 'true turns a disabled endpoint back on and resets its failure count' }),
});

export const WebhookParams = z.object({ webhook_id: z.uuid().openapi({ param: { name: 'webhook_id', in: 'path' } }) });
export const DeliveryParams = WebhookParams.extend({ delivery_id: z.uuid().openapi({ param: { name: 'delivery_id', in: 'path' } }) });
export const AttemptResultSchema = z.object({ ok: z.boolean().openapi({ description: 'Whether the receiver answered 2xx' }), delivery: DeliverySchema });
export const DeliveriesQuery = CursorQuerySchema.extend({ status: z.enum(webhookDeliveries.status.enumValues).optional() });
export const DeliveryPageSchema = z.object({ data: z.array(DeliverySchema), nextCursor: z.string().nullable() });
