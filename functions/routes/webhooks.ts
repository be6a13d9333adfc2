import { createRoute, z } from '@hono/zod-openapi';
import { desc } from 'drizzle-orm';
import type { Context } from 'hono';
import { webhooks } from '../../db/schema';
import { recordAudit } from '../core/audit';
import { auditActor } from '../lib/request';
import { WEBHOOK_EVENT_TYPES, type EventType } from '../core/events/types';
import {
  createWebhook,
  deleteWebhook,
  findWebhook,
  listDeliveries,
  publicWebhook,
  resendDelivery,
  rotateSecret,
  sendTestEvent,
  updateWebhook,
} from '../core/webhooks/endpoints';
import type { AppEnv } from '../lib/env';
import { CursorQuerySchema, ErrorSchema, OrgHeaderSchema, bearerSecurity, createRouter, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { inOrg } from '../lib/tenancy';
import { authenticate, minRole, withOrg } from '../middleware/auth';

/**
 * Outgoing webhooks: an organization's endpoints, their secrets, tests and delivery log. Admins
 * only, reads included: an endpoint's URL often is a credential (chat and automation hooks).
 */
export const webhooksRouter = createRouter();
const tags = ['Webhooks'];
webhooksRouter.use('*', authenticate, withOrg);

const SIGNING_DOC = `Every delivery is a POST with a JSON body \`{ id, type, createdAt, organizationId, data }\` (\`id\` is the event id, the same in every retry: dedupe on it) and the headers \`VersaAI-Event-Id\`, \`VersaAI-Event-Type\`, \`VersaAI-Delivery-Id\`, \`VersaAI-Delivery-Attempt\` and \`VersaAI-Signature: t=<unix seconds>,v1=<hex>\`, where the hex is HMAC-SHA256, keyed with the endpoint's whole secret (\`whsec_…\`), of \`<t>.<raw body>\`.

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

const EventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES as [EventType, ...EventType[]]).openapi({ example: 'message.created' });

const WebhookSchema = z
  .object({
    id: z.uuid(),
    name: z.string().openapi({ example: 'CRM sync' }),
    url: z.string().openapi({ example: 'https://hooks.example.com/versaai' }),
    events: z.array(EventTypeSchema),
    isActive: z.boolean().openapi({ description: 'False when turned off by an admin or disabled after persistent failures' }),
    failureCount: z.number().int().openapi({ description: 'Deliveries that failed for good in a row' }),
    disabledAt: z.string().nullable().openapi({ description: 'When it was disabled for failing; null when not' }),
    disabledReason: z.string().nullable(),
    lastDeliveryAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Webhook');

const SecretField = z.string().openapi({ example: 'whsec_3q2-7wJ4bFj9KXn1YfM0sWq8RzT5', description: 'The signing secret; shown only in this response' });

const AttemptSchema = z
  .object({
    attempt: z.number().int(),
    responseStatus: z.number().int().nullable(),
    durationMs: z.number().int(),
    responseExcerpt: z.string().nullable().openapi({ description: 'The first 2 KB of what the receiver answered' }),
    error: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('WebhookAttempt');

const DeliverySchema = z
  .object({
    id: z.uuid(),
    webhookId: z.uuid(),
    eventId: z.string().openapi({ example: 'evt_5f0c3b7e9a7d4b6c8e2f1a0b9c8d7e6f' }),
    event: z.string().openapi({ example: 'message.created' }),
    status: z.enum(['pending', 'succeeded', 'failed']),
    attempts: z.number().int(),
    responseStatus: z.number().int().nullable(),
    durationMs: z.number().int().nullable(),
    lastError: z.string().nullable(),
    nextAttemptAt: z.string().nullable().openapi({ description: 'When the next automatic attempt is due (pending deliveries)' }),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
    payload: z.record(z.string(), z.unknown()).openapi({ description: 'The body that is sent' }),
    attemptLog: z.array(AttemptSchema),
  })
  .openapi('WebhookDelivery');

const urlField = z.string().trim().min(1).max(2048).openapi({ example: 'https://hooks.example.com/versaai', description: 'https, public address' });
const nameField = z.string().trim().max(200).openapi({ example: 'CRM sync', description: 'Defaults to the URL\u2019s host' });
const eventsField = z.array(EventTypeSchema).min(1).max(WEBHOOK_EVENT_TYPES.length * 2);

const CreateWebhookSchema = z.object({ name: nameField.optional(), url: urlField, events: eventsField, isActive: z.boolean().optional() });
const UpdateWebhookSchema = z.object({
  name: nameField.optional(),
  url: urlField.optional(),
  events: eventsField.optional(),
  isActive: z.boolean().optional().openapi({ description: 'true turns a disabled endpoint back on and resets its failure count' }),
});

const WebhookParams = z.object({ webhook_id: z.uuid().openapi({ param: { name: 'webhook_id', in: 'path' } }) });
const DeliveryParams = WebhookParams.extend({ delivery_id: z.uuid().openapi({ param: { name: 'delivery_id', in: 'path' } }) });
const AttemptResultSchema = z.object({ ok: z.boolean().openapi({ description: 'Whether the receiver answered 2xx' }), delivery: DeliverySchema });

/** URLs in the audit log lose their query string: hook URLs often carry a token there. */
const auditUrl = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
};

const actorId = (c: Context<AppEnv>) => {
  const principal = c.get('principal');
  return principal.kind === 'user' ? principal.userId : null;
};

webhooksRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags,
    summary: 'The organization\u2019s webhooks (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema },
    responses: { 200: jsonContent(z.object({ data: z.array(WebhookSchema) }), 'Webhooks (never their secrets)'), ...protectedErrors },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const rows = await c.get('services').db.select().from(webhooks).where(inOrg(webhooks, organizationId)).orderBy(desc(webhooks.createdAt));
    return c.json({ data: rows.map(publicWebhook) }, 200);
  },
);

webhooksRouter.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags,
    summary: 'Add a webhook (admin); its signing secret is shown only in this response',
    description: SIGNING_DOC,
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, body: jsonBody(CreateWebhookSchema) },
    responses: { 201: jsonContent(WebhookSchema.extend({ secret: SecretField }), 'Created'), ...protectedErrors, 409: jsonContent(ErrorSchema, 'The organization has as many webhooks as allowed') },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const { webhook, secret } = await createWebhook(c.get('services'), organizationId, c.req.valid('json'), actorId(c));
    await recordAudit(c.get('services').db, auditActor(c), { action: 'webhook.created', organizationId, targetType: 'webhook', targetId: webhook.id, metadata: { url: auditUrl(webhook.url), events: webhook.events } });
    return c.json({ ...publicWebhook(webhook), secret }, 201);
  },
);

webhooksRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{webhook_id}',
    tags,
    summary: 'One webhook (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: WebhookParams },
    responses: { 200: jsonContent(WebhookSchema, 'The webhook'), ...protectedErrors },
  }),
  async (c) => {
    const row = await findWebhook(c.get('services').db, c.get('org').organizationId, c.req.valid('param').webhook_id);
    return c.json(publicWebhook(row), 200);
  },
);

webhooksRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{webhook_id}',
    tags,
    summary: 'Change a webhook\u2019s name, URL or events, or turn it off and on (admin)',
    description: 'Sending `isActive: true` to an endpoint disabled after persistent failures turns it back on; failed deliveries can then be resent from its log.',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: WebhookParams, body: jsonBody(UpdateWebhookSchema) },
    responses: { 200: jsonContent(WebhookSchema, 'Updated'), ...protectedErrors },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const input = c.req.valid('json');
    const row = await updateWebhook(c.get('services'), organizationId, c.req.valid('param').webhook_id, input);
    await recordAudit(c.get('services').db, auditActor(c), { action: 'webhook.updated', organizationId, targetType: 'webhook', targetId: row.id, metadata: { fields: Object.keys(input) } });
    return c.json(publicWebhook(row), 200);
  },
);

webhooksRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{webhook_id}',
    tags,
    summary: 'Delete a webhook and its delivery log (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: WebhookParams },
    responses: { 204: { description: 'Deleted' }, ...protectedErrors },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const row = await deleteWebhook(c.get('services'), organizationId, c.req.valid('param').webhook_id);
    await recordAudit(c.get('services').db, auditActor(c), { action: 'webhook.deleted', organizationId, targetType: 'webhook', targetId: row.id, metadata: { url: auditUrl(row.url) } });
    return c.body(null, 204);
  },
);

webhooksRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{webhook_id}/test',
    tags,
    summary: 'Send a signed `webhook.test` event now and answer with the attempt (admin)',
    description: 'Goes through the same delivery path as real events (signature, address checks, log) but is tried once, without retries. Works on a disabled endpoint too, to check it before turning it back on.',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: WebhookParams },
    responses: { 200: jsonContent(AttemptResultSchema, 'The test delivery with its attempt'), ...protectedErrors },
  }),
  async (c) => {
    const result = await sendTestEvent(c.get('services'), c.get('org').organizationId, c.req.valid('param').webhook_id);
    return c.json(result, 200);
  },
);

webhooksRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{webhook_id}/rotate-secret',
    tags,
    summary: 'Replace the signing secret (admin); the new one is shown only in this response',
    description: 'The old secret stops verifying with the next delivery: update the receiver right away.',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: WebhookParams },
    responses: { 200: jsonContent(WebhookSchema.extend({ secret: SecretField }), 'The webhook and its new secret'), ...protectedErrors },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const { webhook, secret } = await rotateSecret(c.get('services'), organizationId, c.req.valid('param').webhook_id);
    await recordAudit(c.get('services').db, auditActor(c), { action: 'webhook.secret_rotated', organizationId, targetType: 'webhook', targetId: webhook.id });
    return c.json({ ...publicWebhook(webhook), secret }, 200);
  },
);

webhooksRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{webhook_id}/deliveries',
    tags,
    summary: 'The delivery log: newest first, each delivery with every attempt (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: {
      headers: OrgHeaderSchema,
      params: WebhookParams,
      query: CursorQuerySchema.extend({ status: z.enum(['pending', 'succeeded', 'failed']).optional() }),
    },
    responses: { 200: jsonContent(z.object({ data: z.array(DeliverySchema), nextCursor: z.string().nullable() }), 'Deliveries'), ...protectedErrors },
  }),
  async (c) => {
    const { cursor, limit, status } = c.req.valid('query');
    const page = await listDeliveries(c.get('services').db, c.get('org').organizationId, c.req.valid('param').webhook_id, { cursor, limit, status });
    return c.json(page, 200);
  },
);

webhooksRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{webhook_id}/deliveries/{delivery_id}/resend',
    tags,
    summary: 'Send a delivery again now, same event id and body (admin)',
    description: 'A delivery still being retried gets its next attempt now; a finished one gets one more attempt. The answer is that attempt\u2019s outcome.',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: DeliveryParams },
    responses: { 200: jsonContent(AttemptResultSchema, 'The delivery with the new attempt'), ...protectedErrors },
  }),
  async (c) => {
    const { webhook_id, delivery_id } = c.req.valid('param');
    const result = await resendDelivery(c.get('services'), c.get('org').organizationId, webhook_id, delivery_id);
    return c.json(result, 200);
  },
);
