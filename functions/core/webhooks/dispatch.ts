import { eq, inArray, sql } from 'drizzle-orm';
import { webhookDeliveries, webhooks } from '../../../db/schema';
import { inOrg } from '../../lib/tenancy';
import type { EventSubscriber, Services } from '../../ports';
import type { OrgEvent } from '../events/types';
import { webhookBody } from './body';
import { enqueueAttempt } from './deliver';
import { rowsOf } from '../../lib/sql';
import { activeSubscriptions } from './subscriptions';

/**
 * Hands an event to the organization's outgoing webhooks: one delivery row per active endpoint
 * subscribed to its type, and one job per delivery. Runs after the response (publishEvent puts
 * it in waitUntil), so no receiver, slow or down, is ever on a chat's path. Organizations without
 * webhooks pay one cache read.
 */
export async function notifyWebhooks(services: Services, event: OrgEvent): Promise<void> {
  const subscribed = (await activeSubscriptions(services, event.organizationId)).filter((s) => s.events.includes(event.type));
  if (subscribed.length === 0) return;
  const body = webhookBody(event);
  // Insert from the endpoints themselves, so one deleted or disabled since the cache was filled
  // is skipped instead of failing the insert for everyone; a repeat of the same event is a no-op.
  const created = await rowsOf<{ id: string }>(
    services.db,
    sql`insert into ${webhookDeliveries} (organization_id, webhook_id, event_id, event, payload)
      select ${webhooks.organizationId}, ${webhooks.id}, ${event.id}, ${event.type}, ${JSON.stringify(body)}::jsonb
      from ${webhooks}
      where ${inOrg(
        webhooks,
        event.organizationId,
        inArray(webhooks.id, subscribed.map((s) => s.id)),
        eq(webhooks.isActive, true),
        sql`${event.type} = any(${webhooks.events})`,
      )}
      on conflict do nothing
      returning id`,
  );
  await Promise.all(created.map((d) => enqueueAttempt(services, { deliveryId: d.id, organizationId: event.organizationId, attempt: 1 })));
}

/** Outgoing webhooks as an event subscriber; private events (`webhooks: false`) are not sent. */
export const webhookSubscriber: EventSubscriber = {
  name: 'webhooks',
  timing: 'background',
  deliver: (services, event, options) => (options.webhooks === false ? Promise.resolve() : notifyWebhooks(services, event)),
};
