import { and, eq } from 'drizzle-orm';
import { billingAccounts, memberships, organizations, users } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import type { Services } from '../../ports';
import { billingEnabled, priceIds, type PaidPlan } from './plans';
import { callStripe, stripeClient, type Stripe } from './stripe-client';

/** Checkout to upgrade and the Customer Portal to manage: both start from the organization's Stripe customer. */

function requireBilling(services: Pick<Services, 'config'>) {
  if (!billingEnabled(services.config)) throw new ApiError('not_found', 'Billing is not configured on this deployment');
}

/** The organization's Stripe customer, created (named after it, mailed to its owner) the first time. */
async function ensureCustomer(services: Pick<Services, 'db'>, stripe: Stripe, organizationId: string): Promise<string> {
  const [account] = await services.db.select().from(billingAccounts).where(eq(billingAccounts.organizationId, organizationId));
  if (account) return account.stripeCustomerId;
  const [org] = await services.db
    .select({ name: organizations.name, email: users.email })
    .from(organizations)
    .leftJoin(memberships, and(eq(memberships.organizationId, organizations.id), eq(memberships.role, 'owner')))
    .leftJoin(users, eq(users.id, memberships.userId))
    .where(eq(organizations.id, organizationId))
    .limit(1);
  const customer = await callStripe(() =>
    stripe.customers.create(
      { name: org?.name ?? undefined, email: org?.email ?? undefined, metadata: { organizationId } },
      // Two clicks at once make one customer.
      { idempotencyKey: `customer-${organizationId}` },
    ),
  );
  await services.db.insert(billingAccounts).values({ organizationId, stripeCustomerId: customer.id }).onConflictDoNothing();
  const [stored] = await services.db.select({ id: billingAccounts.stripeCustomerId }).from(billingAccounts).where(eq(billingAccounts.organizationId, organizationId));
  return stored!.id;
}

export async function createCheckout(services: Pick<Services, 'db' | 'config'>, organizationId: string, plan: PaidPlan) {
  requireBilling(services);
  const price = priceIds(services.config)[plan];
  if (!price) {
    throw new ApiError('validation_failed', `The ${plan} plan is not sold on this deployment`, { details: [{ path: 'plan', message: 'No Stripe price configured', code: 'custom' }] });
  }
  const stripe = stripeClient(services.config);
  const customer = await ensureCustomer(services, stripe, organizationId);
  const back = `${services.config.APP_URL}/settings/plan`;
  const session = await callStripe(() => stripe.checkout.sessions.create({
    mode: 'subscription',
    customer,
    line_items: [{ price, quantity: 1 }],
    client_reference_id: organizationId,
    metadata: { organizationId },
    subscription_data: { metadata: { organizationId } },
    success_url: `${back}?checkout=success`,
    cancel_url: `${back}?checkout=cancelled`,
  }));
  if (!session.url) throw new ApiError('service_unavailable', 'Stripe did not return a checkout page');
  return { url: session.url };
}

export async function createPortal(services: Pick<Services, 'db' | 'config'>, organizationId: string) {
  requireBilling(services);
  const [account] = await services.db.select().from(billingAccounts).where(eq(billingAccounts.organizationId, organizationId));
  if (!account) throw new ApiError('not_found', 'This organization has no subscription to manage yet; upgrade first');
  const session = await callStripe(() =>
    stripeClient(services.config).billingPortal.sessions.create({
      customer: account.stripeCustomerId,
      return_url: `${services.config.APP_URL}/settings/plan`,
    }),
  );
  return { url: session.url };
}
