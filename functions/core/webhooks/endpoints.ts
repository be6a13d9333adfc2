import { and, asc, count, desc, eq, inArray, lt, or, type SQL } from 'drizzle-orm';
import { webhookAttempts, webhookDeliveries, webhooks } from '../../../db/schema';
import { encryptSecret } from '../../lib/crypto';
import { ApiError } from '../../lib/errors';
import { decodeCursor, toPage } from '../../lib/pagination';
import { inOrg } from '../../lib/tenancy';
import type { Database, Services } from '../../ports';
import { newEventId } from '../events/publish';
import type { EventType } from '../events/types';
import { loadTarget, runAttempt, type DeliveryRow, type WebhookRow } from './deliver';
import { webhookBody, type WebhookBody, type WebhookEventData, type WebhookPayloadType } from './body';
import { newWebhookSecret } from './signature';
import { forgetSubscriptions } from './subscriptions';
import { assertWebhookUrl } from './url-policy';

/** What the API does with an organization's endpoints and their delivery log. */
export const MAX_WEBHOOKS_PER_ORGANIZATION = 20;
/** The event a test sends; not subscribable, so it only ever goes where an admin asked. */
export const TEST_EVENT_TYPE = 'webhook.test';

export interface WebhookInput {
  name?: string;
  url?: string;
  events?: EventType[];
  isActive?: boolean;
}

export type DeliveryStatus = DeliveryRow['status'];

export function publicWebhook(row: WebhookRow) {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    events: row.events as EventType[],
    isActive: row.isActive,
    failureCount: row.failureCount,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    disabledReason: row.disabledReason,
    lastDeliveryAt: row.lastDeliveryAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

type AttemptRow = typeof webhookAttempts.$inferSelect;

export function publicDelivery(row: DeliveryRow, attempts: AttemptRow[]) {
  return {
    id: row.id,
    webhookId: row.webhookId,
    eventId: row.eventId,
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    responseStatus: row.responseStatus,
    durationMs: row.durationMs,
    lastError: row.lastError,
    nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    // A stored payload is a body dispatch built from one of the events WebhookEventData lists.
    payload: webhookBody(row.payload as unknown as WebhookBody<WebhookEventData, WebhookPayloadType>),
    attemptLog: attempts.map((a) => ({
      attempt: a.attempt,
      responseStatus: a.responseStatus,
      durationMs: a.durationMs,
      responseExcerpt: a.responseExcerpt,
      error: a.error,
      createdAt: a.createdAt.toISOString(),
    })),
  };
}

/** The organization's webhooks, newest first. */
export function listWebhooks(db: Database, organizationId: string): Promise<WebhookRow[]> {
  return db.select().from(webhooks).where(inOrg(webhooks, organizationId)).orderBy(desc(webhooks.createdAt));
}

export async function findWebhook(db: Database, organizationId: string, webhookId: string): Promise<WebhookRow> {
  const [row] = await db.select().from(webhooks).where(inOrg(webhooks, organizationId, eq(webhooks.id, webhookId))).limit(1);
  if (!row) throw new ApiError('not_found', 'Webhook not found');
  return row;
}

const uniqueEvents = (events: EventType[]) => [...new Set(events)];

function defaultName(url: string) {
  return new URL(url).host.slice(0, 200);
}

export async function createWebhook(
  services: Services,
  organizationId: string,
  input: Required<Pick<WebhookInput, 'url' | 'events'>> & WebhookInput,
  createdBy: string | null,
) {
  const url = await assertWebhookUrl(services, input.url);
  const [{ n }] = await services.db.select({ n: count() }).from(webhooks).where(inOrg(webhooks, organizationId));
  if (n >= MAX_WEBHOOKS_PER_ORGANIZATION) {
    throw new ApiError('conflict', `An organization can have at most ${MAX_WEBHOOKS_PER_ORGANIZATION} webhooks`);
  }
  const secret = newWebhookSecret();
  const [row] = await services.db
    .insert(webhooks)
    .values({
      organizationId,
      name: input.name?.trim() || defaultName(url),
      url,
      events: uniqueEvents(input.events),
      isActive: input.isActive ?? true,
      secretEncrypted: await encryptSecret(secret, services.config.ENCRYPTION_KEY),
      createdBy,
    })
    .returning();
  await forgetSubscriptions(services, organizationId);
  return { webhook: row, secret };
}

/** Turning an endpoint back on (isActive: true) also clears why and when it was disabled. */
export async function updateWebhook(services: Services, organizationId: string, webhookId: string, input: WebhookInput) {
  const current = await findWebhook(services.db, organizationId, webhookId);
  const changes: Partial<typeof webhooks.$inferInsert> = {};
  if (input.url !== undefined) changes.url = await assertWebhookUrl(services, input.url);
  if (input.name !== undefined) changes.name = input.name.trim() || defaultName(changes.url ?? current.url);
  if (input.events !== undefined) changes.events = uniqueEvents(input.events);
  if (input.isActive !== undefined) {
    changes.isActive = input.isActive;
    if (input.isActive && !current.isActive) Object.assign(changes, { failureCount: 0, disabledAt: null, disabledReason: null });
  }
  if (Object.keys(changes).length === 0) return current;
  const [row] = await services.db.update(webhooks).set(changes).where(inOrg(webhooks, organizationId, eq(webhooks.id, webhookId))).returning();
  await forgetSubscriptions(services, organizationId);
  return row;
}

export async function deleteWebhook(services: Services, organizationId: string, webhookId: string) {
  const row = await findWebhook(services.db, organizationId, webhookId);
  await services.db.delete(webhooks).where(inOrg(webhooks, organizationId, eq(webhooks.id, row.id)));
  await forgetSubscriptions(services, organizationId);
  return row;
}

/** A new secret at once; the old one stops verifying with the next delivery. */
export async function rotateSecret(services: Services, organizationId: string, webhookId: string) {
  await findWebhook(services.db, organizationId, webhookId);
  const secret = newWebhookSecret();
  const [row] = await services.db
    .update(webhooks)
    .set({ secretEncrypted: await encryptSecret(secret, services.config.ENCRYPTION_KEY) })
    .where(inOrg(webhooks, organizationId, eq(webhooks.id, webhookId)))
    .returning();
  return { webhook: row, secret };
}

async function attemptsOf(db: Database, organizationId: string, deliveryIds: string[]) {
  const byDelivery = new Map<string, AttemptRow[]>();
  if (deliveryIds.length === 0) return byDelivery;
  const rows = await db
    .select()
    .from(webhookAttempts)
    .where(inOrg(webhookAttempts, organizationId, inArray(webhookAttempts.deliveryId, deliveryIds)))
    .orderBy(asc(webhookAttempts.deliveryId), asc(webhookAttempts.attempt), asc(webhookAttempts.createdAt));
  for (const row of rows) byDelivery.set(row.deliveryId, [...(byDelivery.get(row.deliveryId) ?? []), row]);
  return byDelivery;
}

/** An endpoint's deliveries, newest first, each with every attempt. */
export async function listDeliveries(
  db: Database,
  organizationId: string,
  webhookId: string,
  filters: { cursor?: string; limit: number; status?: DeliveryStatus },
) {
  await findWebhook(db, organizationId, webhookId);
  const after = decodeCursor(filters.cursor);
  const where: Array<SQL | undefined> = [
    eq(webhookDeliveries.webhookId, webhookId),
    filters.status ? eq(webhookDeliveries.status, filters.status) : undefined,
    after
      ? or(
          lt(webhookDeliveries.createdAt, new Date(after.createdAt)),
          and(eq(webhookDeliveries.createdAt, new Date(after.createdAt)), lt(webhookDeliveries.id, after.id)),
        )
      : undefined,
  ];
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(inOrg(webhookDeliveries, organizationId, ...where))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(filters.limit + 1);
  const { page, nextCursor } = toPage(rows, filters.limit);
  const attempts = await attemptsOf(db, organizationId, page.map((d) => d.id));
  return { data: page.map((d) => publicDelivery(d, attempts.get(d.id) ?? [])), nextCursor };
}

async function deliveryWithLog(db: Database, organizationId: string, deliveryId: string) {
  const target = await loadTarget(db, organizationId, deliveryId);
  if (!target) throw new ApiError('not_found', 'Delivery not found');
  const attempts = await attemptsOf(db, organizationId, [deliveryId]);
  return publicDelivery(target.delivery, attempts.get(deliveryId) ?? []);
}

/**
 * Sends a delivery again now, with the same event id and body. A delivery still in its retry
 * schedule gets its next attempt early (and keeps the schedule if it fails again); a finished one
 * gets one more attempt, which only the log and its status reflect.
 */
export async function resendDelivery(services: Services, organizationId: string, webhookId: string, deliveryId: string) {
  const target = await loadTarget(services.db, organizationId, deliveryId);
  if (!target || target.webhook.id !== webhookId) throw new ApiError('not_found', 'Delivery not found');
  const { outcome } = await runAttempt(services, target, target.delivery.status === 'pending' ? 'scheduled' : 'once');
  return { ok: outcome.ok, delivery: await deliveryWithLog(services.db, organizationId, deliveryId) };
}

/** A `webhook.test` event through the same delivery path, one attempt, answered with its outcome. */
export async function sendTestEvent(services: Services, organizationId: string, webhookId: string) {
  const webhook = await findWebhook(services.db, organizationId, webhookId);
  const body = webhookBody({
    id: newEventId(),
    type: TEST_EVENT_TYPE,
    createdAt: new Date().toISOString(),
    organizationId,
    data: { webhookId: webhook.id, message: 'A test event from VersaAI: your endpoint is reachable and can verify signatures.' },
  });
  const [delivery] = await services.db
    .insert(webhookDeliveries)
    .values({ organizationId, webhookId: webhook.id, eventId: body.id, event: body.type, payload: { ...body } })
    .returning();
  const { outcome } = await runAttempt(services, { delivery, webhook }, 'once');
  return { ok: outcome.ok, delivery: await deliveryWithLog(services.db, organizationId, delivery.id) };
}
