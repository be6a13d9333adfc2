import { createRoute } from '@hono/zod-openapi';
import { listDeliveries, resendDelivery } from '../core/webhooks/endpoints';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, minRole, withOrg } from '../middleware/auth';
import { AttemptResultSchema, DeliveriesQuery, DeliveryPageSchema, DeliveryParams, WebhookParams } from './webhooks.schemas';

/** /api/v1/webhooks/{id}/deliveries: an endpoint's delivery log, each delivery with its attempts, and resending (admins). */
export const webhookDeliveriesRouter = createRouter();
webhookDeliveriesRouter.use('/:webhook_id/deliveries/*', authenticate, withOrg);
webhookDeliveriesRouter.use('/:webhook_id/deliveries', authenticate, withOrg);
const tags = ['Webhooks'];

webhookDeliveriesRouter.openapi(
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
      query: DeliveriesQuery,
    },
    responses: { 200: jsonContent(DeliveryPageSchema, 'Deliveries'), ...protectedErrors },
  }),
  async (c) => {
    const { cursor, limit, status } = c.req.valid('query');
    const page = await listDeliveries(c.get('services').db, c.get('org').organizationId, c.req.valid('param').webhook_id, { cursor, limit, status });
    return c.json(page, 200);
  },
);

webhookDeliveriesRouter.openapi(
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
