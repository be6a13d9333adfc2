import { eq } from 'drizzle-orm';
import { webhooks } from '../../../db/schema';
import { inOrg } from '../../lib/tenancy';
import type { Services } from '../../ports';

/**
 * Which events an organization's active endpoints want, cached briefly: every event of every
 * organization asks, and most organizations have no webhooks, so the common answer (`[]`) costs
 * one cache read instead of a query. Every change to an endpoint forgets the entry.
 */
export interface Subscription {
  id: string;
  events: string[];
}

const TTL_SECONDS = 60;
const cacheKey = (organizationId: string) => `webhooks:subs:${organizationId}`;

export async function activeSubscriptions(services: Pick<Services, 'db' | 'kv'>, organizationId: string): Promise<Subscription[]> {
  const cached = await services.kv.get<Subscription[]>(cacheKey(organizationId)).catch(() => null);
  if (cached) return cached;
  const rows = await services.db
    .select({ id: webhooks.id, events: webhooks.events })
    .from(webhooks)
    .where(inOrg(webhooks, organizationId, eq(webhooks.isActive, true)));
  await services.kv.set(cacheKey(organizationId), rows, { ttlSeconds: TTL_SECONDS }).catch(() => {});
  return rows;
}

export async function forgetSubscriptions(services: Pick<Services, 'kv'>, organizationId: string): Promise<void> {
  await services.kv.del(cacheKey(organizationId));
}
