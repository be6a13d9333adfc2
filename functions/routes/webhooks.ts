import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { recordAudit } from '../core/audit';
import { auditActor } from '../lib/request';
import { createWebhook, deleteWebhook, findWebhook, listWebhooks, publicWebhook, rotateSecret, sendTestEvent, updateWebhook } from '../core/webhooks/endpoints';
import type { AppEnv } from '../lib/env';
import { OrgHeaderSchema, bearerSecurity, createRouter, errorResponse, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, minRole, withOrg } from '../middleware/auth';
import { webhookDeliveriesRouter } from './webhooks-deliveries';
import { AttemptResultSchema, CreateWebhookSchema, SIGNING_DOC, UpdateWebhookSchema, WebhookParams, WebhookSchema, WebhookWithSecretSchema } from './webhooks.schemas';

/**
 * Outgoing webhooks (/api/v1/webhooks): an organization's endpoints, their secrets and tests; the
 * delivery log (/{id}/deliveries) is in webhooks-deliveries.ts. Admins
 * only, reads included: an endpoint's URL often is a credential (chat and automation hooks).
 */
export const webhooksRouter = createRouter();
const tags = ['Webhooks'];
webhooksRouter.use('*', authenticate, withOrg);

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
    const rows = await listWebhooks(c.get('services').db, c.get('org').organizationId);
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
    responses: { 201: jsonContent(WebhookWithSecretSchema, 'Created'), ...protectedErrors, 409: errorResponse('The organization has as many webhooks as allowed') },
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
    responses: { 200: jsonContent(WebhookWithSecretSchema, 'The webhook and its new secret'), ...protectedErrors },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const { webhook, secret } = await rotateSecret(c.get('services'), organizationId, c.req.valid('param').webhook_id);
    await recordAudit(c.get('services').db, auditActor(c), { action: 'webhook.secret_rotated', organizationId, targetType: 'webhook', targetId: webhook.id });
    return c.json({ ...publicWebhook(webhook), secret }, 200);
  },
);

webhooksRouter.route('/', webhookDeliveriesRouter);
