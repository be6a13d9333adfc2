import { createRoute, z } from '@hono/zod-openapi';
import { createCheckout, createPortal } from '../core/billing/checkout';
import { PAID_PLANS } from '../core/billing/plans';
import { handleStripeEvent, verifyStripeEvent } from '../core/billing/webhook';
import { OrgHeaderSchema, bearerSecurity, createRouter, errorResponse, jsonBody, jsonContent, protectedErrors, publicErrors } from '../lib/openapi';
import { authenticate, minRole, withOrg } from '../middleware/auth';

/**
 * /api/v1/billing: Checkout, the Customer Portal and Stripe's webhook. These routes load the
 * `stripe` package, so at the edge they run in the back-office worker (functions/ingest-worker.ts),
 * which the request worker forwards `/api/v1/billing/*` to; on Node they are mounted in the one app.
 */
export const billingRouter = createRouter();
const tags = ['Billing'];

const RedirectSchema = z.object({ url: z.string().openapi({ description: 'The Stripe page to send the browser to' }) }).openapi('BillingRedirect');
const CheckoutBodySchema = z.object({ plan: z.enum(PAID_PLANS) }).openapi('CheckoutRequest');
const WebhookOutcomeSchema = z
  .object({
    received: z.literal(true),
    duplicate: z.boolean().optional().openapi({ description: 'This event id was handled before; nothing changed' }),
    ignored: z.string().optional().openapi({ description: 'Why the event changed nothing: event_type, stale, unknown_price, unknown_customer, other_subscription' }),
    plan: z.string().optional().openapi({ description: 'The organization\u2019s plan after the event' }),
  })
  .openapi('StripeWebhookOutcome');

billingRouter.use('/checkout', authenticate, withOrg);
billingRouter.use('/portal', authenticate, withOrg);

billingRouter.openapi(
  createRoute({
    method: 'post',
    path: '/checkout',
    tags,
    summary: 'Start a Stripe Checkout to upgrade the organization (owner)',
    description: 'Answers the Checkout page\u2019s URL. The plan changes when Stripe\u2019s signed webhook confirms the subscription, not when the browser comes back.',
    security: bearerSecurity,
    middleware: [minRole('owner')] as const,
    request: { headers: OrgHeaderSchema, body: jsonBody(CheckoutBodySchema) },
    responses: { 200: jsonContent(RedirectSchema, 'The Checkout page'), ...protectedErrors, 503: errorResponse('Stripe could not be reached') },
  }),
  async (c) => c.json(await createCheckout(c.get('services'), c.get('org').organizationId, c.req.valid('json').plan), 200),
);

billingRouter.openapi(
  createRoute({
    method: 'post',
    path: '/portal',
    tags,
    summary: 'Open the Stripe Customer Portal to manage the subscription (owner)',
    security: bearerSecurity,
    middleware: [minRole('owner')] as const,
    request: { headers: OrgHeaderSchema },
    responses: { 200: jsonContent(RedirectSchema, 'The Customer Portal'), ...protectedErrors, 503: errorResponse('Stripe could not be reached') },
  }),
  async (c) => c.json(await createPortal(c.get('services'), c.get('org').organizationId), 200),
);

billingRouter.openapi(
  createRoute({
    method: 'post',
    path: '/stripe-webhook',
    tags,
    summary: 'Stripe\u2019s webhook (public, signed with Stripe-Signature)',
    description:
      'Handles checkout.session.completed and customer.subscription.created/updated/deleted. Each event id is handled once; an event older than the state already applied changes nothing.',
    responses: {
      200: jsonContent(WebhookOutcomeSchema, 'Handled (also for events that change nothing, so Stripe does not retry them)'),
      404: errorResponse('Billing is not configured'),
      ...publicErrors,
      503: errorResponse('Stripe could not be reached to read the subscription (Stripe retries)'),
    },
  }),
  async (c) => {
    const services = c.get('services');
    const event = await verifyStripeEvent(services, await c.req.text(), c.req.header('stripe-signature'));
    return c.json(await handleStripeEvent(services, event), 200);
  },
);
