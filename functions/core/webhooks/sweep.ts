import { and, eq, isNull, lt, or } from 'drizzle-orm';
import { webhookDeliveries } from '../../../db/schema';
import type { Services } from '../../ports';
import { enqueueAttempt } from './deliver';

/**
 * The daily safety net for deliveries whose next attempt never came: a queue message lost in
 * transit (or a runner stopped mid-flight) would otherwise leave a delivery pending forever. An
 * attempt overdue by an hour is queued again; the attempt number in its deduplication id and the
 * job's own check make a late original harmless.
 */
const OVERDUE_MS = 60 * 60 * 1000;
const BATCH = 500;

export async function sweepStaleDeliveries(services: Services, now = new Date()) {
  const overdue = new Date(now.getTime() - OVERDUE_MS);
  const stale = await services.db
    .select({ id: webhookDeliveries.id, organizationId: webhookDeliveries.organizationId, attempts: webhookDeliveries.attempts })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.status, 'pending'),
        or(lt(webhookDeliveries.nextAttemptAt, overdue), and(isNull(webhookDeliveries.nextAttemptAt), lt(webhookDeliveries.createdAt, overdue))),
      ),
    )
    .limit(BATCH);
  for (const delivery of stale) {
    await enqueueAttempt(services, { deliveryId: delivery.id, organizationId: delivery.organizationId, attempt: delivery.attempts + 1 });
  }
  return { requeued: stale.length };
}
