import { eq } from 'drizzle-orm';
import { billingAccounts, organizations } from '../../../db/schema';
import type { Services } from '../../ports';
import { countedUsage } from './limits';
import { answersThisMonth, monthlyResetAt, monthStart } from './messages-quota';
import { billingEnabled, effectivePlan, LIMIT_NAMES, PAID_PLANS, PLANS, priceIds, type LimitName, type PlanId } from './plans';

export interface PlanUsage {
  plan: PlanId;
  billingEnabled: boolean;
  /** Plans this deployment sells through Checkout (a Stripe price is configured for each). */
  upgrades: PlanId[];
  /** True once the organization has a Stripe customer: the Customer Portal can manage it. */
  canManage: boolean;
  subscriptionStatus: string | null;
  periodStart: string;
  /** When the monthly answer count starts again. */
  resetsAt: string;
  limits: Array<{ name: LimitName; used: number; limit: number | null }>;
}

/** The plan, each limit with what is used of it, and when the month's count resets. */
export async function planUsage(services: Pick<Services, 'db' | 'kv' | 'config'>, organizationId: string, at = new Date()): Promise<PlanUsage> {
  const [[row], counted, answers] = await Promise.all([
    services.db
      .select({ plan: organizations.plan, customer: billingAccounts.stripeCustomerId, status: billingAccounts.subscriptionStatus })
      .from(organizations)
      .leftJoin(billingAccounts, eq(billingAccounts.organizationId, organizations.id))
      .where(eq(organizations.id, organizationId)),
    countedUsage(services.db, organizationId),
    answersThisMonth(services.kv, organizationId, at),
  ]);
  const plan = effectivePlan(services.config, row?.plan ?? 'free');
  const used: Record<LimitName, number> = { ...counted, messagesPerMonth: answers };
  const prices = priceIds(services.config);
  const enabled = billingEnabled(services.config);
  return {
    plan,
    billingEnabled: enabled,
    upgrades: enabled ? PAID_PLANS.filter((p) => prices[p] && PLANS[p].rank > PLANS[plan].rank) : [],
    canManage: enabled && Boolean(row?.customer),
    subscriptionStatus: row?.status ?? null,
    periodStart: monthStart(at).toISOString(),
    resetsAt: monthlyResetAt(at).toISOString(),
    limits: LIMIT_NAMES.map((name) => ({ name, used: used[name], limit: PLANS[plan].limits[name] })),
  };
}
