import type { Config } from '../../lib/config';

/**
 * The plans, in configuration: what each allows. `null` is "no limit". `unlimited` is what a
 * self-hosted deployment (no Stripe key) runs everything on; with billing configured a new
 * organization starts on `free` and Checkout moves it up.
 */
export const PLAN_IDS = ['free', 'pro', 'business', 'unlimited'] as const;
export type PlanId = (typeof PLAN_IDS)[number];

export const LIMIT_NAMES = ['bots', 'members', 'messagesPerMonth', 'storageBytes', 'channels', 'flows'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

export type PlanLimits = Record<LimitName, number | null>;

const MB = 1024 * 1024;
const GB = 1024 * MB;

export const PLANS: Record<PlanId, { limits: PlanLimits; rank: number }> = {
  free: { rank: 0, limits: { bots: 1, members: 2, messagesPerMonth: 100, storageBytes: 50 * MB, channels: 1, flows: 2 } },
  pro: { rank: 1, limits: { bots: 5, members: 10, messagesPerMonth: 5_000, storageBytes: 1 * GB, channels: 5, flows: 20 } },
  business: { rank: 2, limits: { bots: 25, members: 50, messagesPerMonth: 50_000, storageBytes: 10 * GB, channels: 25, flows: 200 } },
  unlimited: { rank: 3, limits: { bots: null, members: null, messagesPerMonth: null, storageBytes: null, channels: null, flows: null } },
};

/** Where the billing routes (routes/billing.ts) live; the request worker forwards this prefix. */
export const BILLING_PATH = '/api/v1/billing';

/** Plans that can be bought (each needs a Stripe price id in the configuration). */
export const PAID_PLANS = ['pro', 'business'] as const;
export type PaidPlan = (typeof PAID_PLANS)[number];

export function billingEnabled(config: Pick<Config, 'STRIPE_SECRET_KEY'>): boolean {
  return Boolean(config.STRIPE_SECRET_KEY);
}

export function isPlanId(value: string): value is PlanId {
  return (PLAN_IDS as readonly string[]).includes(value);
}

/**
 * The plan an organization is held to: its stored plan when billing is configured, `unlimited`
 * otherwise (a self-hosted deployment never limits itself). An unknown stored value reads as `free`.
 */
export function effectivePlan(config: Pick<Config, 'STRIPE_SECRET_KEY'>, storedPlan: string): PlanId {
  if (!billingEnabled(config)) return 'unlimited';
  return isPlanId(storedPlan) ? storedPlan : 'free';
}

export function limitOf(plan: PlanId, name: LimitName): number | null {
  return PLANS[plan].limits[name];
}

/** The Stripe price of each paid plan, from the configuration. */
export function priceIds(config: Pick<Config, 'STRIPE_PRICE_PRO' | 'STRIPE_PRICE_BUSINESS'>): Partial<Record<PaidPlan, string>> {
  return {
    ...(config.STRIPE_PRICE_PRO ? { pro: config.STRIPE_PRICE_PRO } : {}),
    ...(config.STRIPE_PRICE_BUSINESS ? { business: config.STRIPE_PRICE_BUSINESS } : {}),
  };
}

/** Which plan a Stripe price buys, or null for a price this deployment does not sell. */
export function planForPrice(config: Pick<Config, 'STRIPE_PRICE_PRO' | 'STRIPE_PRICE_BUSINESS'>, priceId: string | null | undefined): PaidPlan | null {
  if (!priceId) return null;
  const prices = priceIds(config);
  return PAID_PLANS.find((plan) => prices[plan] === priceId) ?? null;
}
