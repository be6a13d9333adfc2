import { bigint, pgTable, text, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { createdAt, ts, updatedAt } from './columns';
import { organizations } from './tenancy';

/**
 * An organization's link to Stripe: its customer, and the last subscription state we applied.
 * The plan itself stays on `organizations.plan` (what every limit check reads); this row remembers
 * which Stripe state produced it, so an older event arriving late never overwrites a newer one.
 */
export const billingAccounts = pgTable(
  'billing_accounts',
  {
    organizationId: uuid('organization_id')
      .primaryKey()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    stripeCustomerId: varchar('stripe_customer_id', { length: 255 }).notNull(),
    stripeSubscriptionId: varchar('stripe_subscription_id', { length: 255 }),
    /** Stripe's subscription status (active, trialing, past_due, canceled…), null before the first. */
    subscriptionStatus: varchar('subscription_status', { length: 32 }),
    currentPeriodEnd: ts('current_period_end'),
    /**
     * The Stripe event time (seconds) of the state applied last: an event older than it is stale.
     * Ties go to the later arrival, except that a deleted subscription is never revived by one.
     */
    stateAt: bigint('state_at', { mode: 'number' }).notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('billing_accounts_customer_key').on(t.stripeCustomerId)],
);

/** Stripe events already handled: a redelivered (or replayed) event id is acknowledged and skipped. */
export const stripeEvents = pgTable('stripe_events', {
  id: varchar('id', { length: 255 }).primaryKey(),
  type: text('type').notNull(),
  organizationId: uuid('organization_id').references(() => organizations.id, { onDelete: 'set null' }),
  processedAt: createdAt(),
});
