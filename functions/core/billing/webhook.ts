import { eq, or } from 'drizzle-orm';
import { billingAccounts, bots, organizations, stripeEvents } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import type { Services } from '../../ports';
import { forgetBot } from '../chat/bot-runtime';
import { planForPrice, type PlanId } from './plans';
import { callStripe, stripeClient, subtleCrypto, type Stripe } from './stripe-client';

/**
 * Stripe's webhooks move an organization's plan. Verified (`Stripe-Signature`), idempotent by
 * event id (stripe_events), and out-of-order safe: subscription events are applied from the
 * subscription as Stripe holds it now (re-fetched), and an event older than the state already
 * applied changes nothing, so a late `updated` never undoes a newer `deleted`.
 */

/** Statuses that keep the paid plan (past_due is Stripe's retry period, still paid for). */
const LIVE_STATUSES = new Set(['active', 'trialing', 'past_due']);

export type WebhookOutcome = { received: true; duplicate?: boolean; ignored?: string; plan?: PlanId };

interface SubscriptionState {
  subscriptionId: string;
  customerId: string;
  status: string;
  priceId: string | null;
  currentPeriodEnd: Date | null;
  organizationId: string | null;
}

function stateOf(subscription: Stripe.Subscription): SubscriptionState {
  const item = subscription.items?.data?.[0];
  const periodEnd = item?.current_period_end ?? null;
  return {
    subscriptionId: subscription.id,
    customerId: typeof subscription.customer === 'string' ? subscription.customer : subscription.customer.id,
    status: subscription.status,
    priceId: item?.price?.id ?? null,
    currentPeriodEnd: periodEnd ? new Date(periodEnd * 1000) : null,
    organizationId: subscription.metadata?.organizationId ?? null,
  };
}

export async function verifyStripeEvent(services: Pick<Services, 'config'>, payload: string, signature: string | undefined): Promise<Stripe.Event> {
  const secret = services.config.STRIPE_WEBHOOK_SECRET;
  if (!secret || !services.config.STRIPE_SECRET_KEY) throw new ApiError('not_found', 'Billing is not configured on this deployment');
  if (!signature) throw new ApiError('bad_request', 'Missing Stripe-Signature header');
  try {
    return await stripeClient(services.config).webhooks.constructEventAsync(payload, signature, secret, undefined, subtleCrypto);
  } catch {
    throw new ApiError('bad_request', 'The Stripe signature does not match this payload');
  }
}

export async function handleStripeEvent(services: Services, event: Stripe.Event): Promise<WebhookOutcome> {
  const [seen] = await services.db.select({ id: stripeEvents.id }).from(stripeEvents).where(eq(stripeEvents.id, event.id));
  if (seen) return { received: true, duplicate: true };
  const state = await subscriptionStateFor(services, event);
  if (!state) return markHandled(services, event, null, { received: true, ignored: 'event_type' });
  return applyState(services, event, state);
}

/** The subscription an event is about, as Stripe holds it now; null for events that move no plan. */
async function subscriptionStateFor(services: Pick<Services, 'config'>, event: Stripe.Event): Promise<SubscriptionState | null> {
  const stripe = stripeClient(services.config);
  switch (event.type) {
    case 'checkout.session.completed': {
      const session = event.data.object;
      if (session.mode !== 'subscription' || !session.subscription) return null;
      const id = typeof session.subscription === 'string' ? session.subscription : session.subscription.id;
      const state = stateOf(await callStripe(() => stripe.subscriptions.retrieve(id)));
      return { ...state, organizationId: state.organizationId ?? session.client_reference_id ?? session.metadata?.organizationId ?? null };
    }
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
      return stateOf(await callStripe(() => stripe.subscriptions.retrieve(event.data.object.id)));
    case 'customer.subscription.deleted':
      // A deleted subscription is final: its object says so, no need to ask again.
      return stateOf(event.data.object);
    default:
      return null;
  }
}

async function applyState(services: Services, event: Stripe.Event, state: SubscriptionState): Promise<WebhookOutcome> {
  const [account] = await services.db
    .select()
    .from(billingAccounts)
    .where(
      state.organizationId
        ? or(eq(billingAccounts.stripeCustomerId, state.customerId), eq(billingAccounts.organizationId, state.organizationId))
        : eq(billingAccounts.stripeCustomerId, state.customerId),
    )
    .limit(1);
  if (!account) return markHandled(services, event, null, { received: true, ignored: 'unknown_customer' });
  const organizationId = account.organizationId;
  if (event.created < account.stateAt) return markHandled(services, event, organizationId, { received: true, ignored: 'stale' });
  const live = LIVE_STATUSES.has(state.status);
  // News of an older subscription (ended) must not downgrade the one the organization has now.
  if (account.stripeSubscriptionId && account.stripeSubscriptionId !== state.subscriptionId && !live) {
    return markHandled(services, event, organizationId, { received: true, ignored: 'other_subscription' });
  }
  const paid = live ? planForPrice(services.config, state.priceId) : null;
  if (live && !paid) {
    console.error(JSON.stringify({ level: 'error', message: 'stripe subscription with an unknown price', event: event.id, price: state.priceId }));
    return markHandled(services, event, organizationId, { received: true, ignored: 'unknown_price' });
  }
  const plan: PlanId = paid ?? 'free';
  const applied = await services.db.transaction(async (tx) => {
    // The event id is the lock: a concurrent delivery of the same event inserts nothing and stops.
    const [fresh] = await tx.insert(stripeEvents).values({ id: event.id, type: event.type, organizationId }).onConflictDoNothing().returning({ id: stripeEvents.id });
    if (!fresh) return false;
    await tx
      .update(billingAccounts)
      .set({
        stripeSubscriptionId: state.subscriptionId,
        subscriptionStatus: state.status,
        currentPeriodEnd: state.currentPeriodEnd,
        stateAt: event.created,
      })
      .where(eq(billingAccounts.organizationId, organizationId));
    await tx.update(organizations).set({ plan }).where(eq(organizations.id, organizationId));
    return true;
  });
  if (!applied) return { received: true, duplicate: true };
  await forgetOrgBots(services, organizationId);
  console.log(JSON.stringify({ level: 'info', message: 'plan changed by Stripe', organizationId, plan, status: state.status, event: event.id }));
  return { received: true, plan };
}

async function markHandled(services: Pick<Services, 'db'>, event: Stripe.Event, organizationId: string | null, outcome: WebhookOutcome) {
  await services.db.insert(stripeEvents).values({ id: event.id, type: event.type, organizationId }).onConflictDoNothing();
  return outcome;
}

/** The cached bot runtimes carry the plan (the monthly answer limit): the next turn reads the new one. */
async function forgetOrgBots(services: Pick<Services, 'db' | 'kv'>, organizationId: string) {
  const rows = await services.db.select({ id: bots.id }).from(bots).where(eq(bots.organizationId, organizationId));
  await Promise.all(rows.map((row) => forgetBot(services, row.id)));
}
