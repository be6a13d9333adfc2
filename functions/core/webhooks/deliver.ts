import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { memberships, users, webhookAttempts, webhookDeliveries, webhooks } from '../../../db/schema';
import type { Config } from '../../lib/config';
import { decryptSecret } from '../../lib/crypto';
import { OutboundRefused, OutboundTimeout } from '../../lib/network';
import { inOrg } from '../../lib/tenancy';
import type { Database, Services } from '../../ports';
import { renderMail } from '../auth/mail-templates';
import { webhookBody, type WebhookBody } from './body';
import { enqueueMail } from '../jobs/queue';
import {
  ATTEMPT_HEADER,
  DELIVERY_ID_HEADER,
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  SIGNATURE_HEADER,
  signatureHeader,
} from './signature';
import { forgetSubscriptions } from './subscriptions';
import { webhookUrlRefusal } from './url-policy';
import { rowsOf } from '../../lib/sql';

/**
 * Delivering one event to one endpoint. Each attempt is one job (`deliver-webhook`) that makes
 * one signed POST, logs it, and, when the receiver timed out, could not be reached, or answered
 * 5xx/429/408, queues the next attempt itself with exponential back-off. The schedule is ours, not
 * the queue's: the queue's own retries only cover the job crashing before it could record.
 * Receivers get each event at least once and dedupe on its id (the same in every attempt).
 */
export const DELIVER_JOB = 'deliver-webhook';
/** How much of a receiver's answer is kept with each attempt. */
export const RESPONSE_EXCERPT_BYTES = 2048;

export type WebhookRow = typeof webhooks.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export interface DeliveryTarget {
  delivery: DeliveryRow;
  webhook: WebhookRow;
}

export interface DeliverJobPayload {
  deliveryId: string;
  organizationId: string;
  /** Which attempt this job is; a redelivered job for an attempt already made does nothing. */
  attempt: number;
}

/**
 * `scheduled`: part of the automatic schedule (retries, and a final failure counts toward
 * disabling the endpoint). `once`: a single attempt asked for by an admin (test, resend of a
 * finished delivery): its result is logged and shown, nothing else follows from it.
 */
export type AttemptMode = 'scheduled' | 'once';

export interface AttemptOutcome {
  ok: boolean;
  retryable: boolean;
  responseStatus: number | null;
  responseExcerpt: string | null;
  durationMs: number;
  error: string | null;
}

export function retryDelaySeconds(config: Config, failedAttempt: number): number {
  const delay = config.WEBHOOK_RETRY_BASE_SECONDS * 4 ** (failedAttempt - 1);
  // Up to 10% later, so the retries of deliveries that failed together do not land together.
  return delay * (1 + Math.random() * 0.1);
}

export function enqueueAttempt(services: Pick<Services, 'queue'>, payload: DeliverJobPayload, delaySeconds = 0) {
  // Retries and the deduplication id (`webhook-<delivery>-<attempt>`) come from the job catalog.
  return services.queue.enqueue(DELIVER_JOB, payload, { delaySeconds });
}

/** A retry can succeed when the receiver was slow, unreachable, overloaded or asked us to wait. */
function retryableStatus(status: number) {
  return status >= 500 || status === 429 || status === 408;
}

const elapsed = (started: number) => Math.max(0, Math.round(performance.now() - started));

function describe(error: unknown): string {
  const err = error as Error & { code?: string; cause?: { code?: string; message?: string } };
  const code = err.code ?? err.cause?.code;
  const message = err.cause?.message ?? err.message ?? String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/** One signed POST; never throws for what the receiver or the network did. */
export async function sendAttempt(services: Services, { delivery, webhook }: DeliveryTarget, attempt: number): Promise<AttemptOutcome> {
  const { config } = services;
  const refusal = webhookUrlRefusal(webhook.url, services.outbound.policy);
  if (refusal) return { ok: false, retryable: false, responseStatus: null, responseExcerpt: null, durationMs: 0, error: `Refused: ${refusal}` };
  const secret = await decryptSecret(webhook.secretEncrypted, config.ENCRYPTION_KEY);
  const body = JSON.stringify(webhookBody(delivery.payload as unknown as WebhookBody));
  const started = performance.now();
  try {
    const response = await services.outbound.send({
      url: webhook.url,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': `VersaAI-Webhooks/1.0 (+${config.APP_URL})`,
        [SIGNATURE_HEADER]: await signatureHeader(secret, body, Math.floor(Date.now() / 1000)),
        [EVENT_ID_HEADER]: delivery.eventId,
        [EVENT_TYPE_HEADER]: delivery.event,
        [DELIVERY_ID_HEADER]: delivery.id,
        [ATTEMPT_HEADER]: String(attempt),
      },
      body,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      maxResponseBytes: RESPONSE_EXCERPT_BYTES,
    });
    const ok = response.status >= 200 && response.status < 300;
    return {
      ok,
      retryable: !ok && retryableStatus(response.status),
      responseStatus: response.status,
      responseExcerpt: response.body || null,
      durationMs: elapsed(started),
      error: ok ? null : `The receiver answered HTTP ${response.status}`,
    };
  } catch (error) {
    const failed = { ok: false, responseStatus: null, responseExcerpt: null, durationMs: elapsed(started) };
    if (error instanceof OutboundRefused) return { ...failed, retryable: false, error: `Refused: ${error.message}` };
    if (error instanceof OutboundTimeout) return { ...failed, retryable: true, error: `Timed out: ${error.message}` };
    return { ...failed, retryable: true, error: `Could not reach the receiver: ${describe(error)}` };
  }
}


/** Delivery bookkeeping is not an edit of the endpoint: its `updated_at` stays as it was. */
const keepUpdatedAt = { updatedAt: sql`${webhooks.updatedAt}` };

/**
 * Logs attempt `attempt` and moves the delivery on, in one statement, only if no other run
 * recorded that attempt first (a redelivered job or a resend racing the schedule). Then the
 * endpoint's counters, and the next attempt when one is due.
 */
async function recordAttempt(services: Services, { delivery, webhook }: DeliveryTarget, attempt: number, outcome: AttemptOutcome, mode: AttemptMode) {
  const { db, config } = services;
  const now = new Date();
  const retryLater = mode === 'scheduled' && !outcome.ok && outcome.retryable && attempt < config.WEBHOOK_MAX_ATTEMPTS;
  const delaySeconds = retryLater ? retryDelaySeconds(config, attempt) : 0;
  const status = outcome.ok ? 'succeeded' : retryLater ? 'pending' : 'failed';
  const update = db
    .update(webhookDeliveries)
    .set({
      status,
      attempts: attempt,
      responseStatus: outcome.responseStatus,
      responseBody: outcome.responseExcerpt,
      durationMs: outcome.durationMs,
      lastError: outcome.error,
      nextAttemptAt: retryLater ? new Date(now.getTime() + delaySeconds * 1000) : null,
      ...(outcome.ok ? { deliveredAt: now } : {}),
    })
    .where(and(inOrg(webhookDeliveries, delivery.organizationId, eq(webhookDeliveries.id, delivery.id)), eq(webhookDeliveries.attempts, attempt - 1)))
    .returning({ id: webhookDeliveries.id });
  // An attempt's log line says what went wrong only when there was no answer to show instead.
  const attemptError = outcome.responseStatus === null ? outcome.error : null;
  const failedForGood = !outcome.ok && mode === 'scheduled' && status === 'failed';
  // The endpoint's own counters move in the same statement, except on a final failure, which
  // counts toward disabling the endpoint (below).
  const touchEndpoint = db
    .update(webhooks)
    .set({ lastDeliveryAt: now, ...(outcome.ok ? { failureCount: 0 } : {}), ...keepUpdatedAt })
    .where(and(eq(webhooks.id, webhook.id), sql`exists (select 1 from d)`));
  const logged = await rowsOf<{ id: string }>(
    db,
    sql`with d as (${update.getSQL()})${failedForGood ? sql`` : sql`, w as (${touchEndpoint.getSQL()})`}
      insert into ${webhookAttempts} (organization_id, delivery_id, attempt, response_status, duration_ms, response_excerpt, error)
      select ${delivery.organizationId}::uuid, d.id, ${attempt}::int, ${outcome.responseStatus}::int, ${outcome.durationMs}::int,
             ${outcome.responseExcerpt}::text, ${attemptError}::text
      from d
      returning id`,
  );
  if (logged.length === 0) {
    console.warn(JSON.stringify({ level: 'warn', message: 'webhook attempt already recorded', deliveryId: delivery.id, attempt }));
    return false;
  }
  if (failedForGood) await countFailedDelivery(services, webhook, outcome);
  if (retryLater) {
    await enqueueAttempt(services, { deliveryId: delivery.id, organizationId: delivery.organizationId, attempt: attempt + 1 }, delaySeconds);
  }
  return true;
}

/** A delivery failed for good: one more in a row; at the limit the endpoint is disabled and its admins told. */
async function countFailedDelivery(services: Services, webhook: WebhookRow, outcome: AttemptOutcome) {
  const { db, config } = services;
  const [counted] = await db
    .update(webhooks)
    .set({ failureCount: sql`${webhooks.failureCount} + 1`, lastDeliveryAt: new Date(), ...keepUpdatedAt })
    .where(eq(webhooks.id, webhook.id))
    .returning({ failureCount: webhooks.failureCount });
  if (!counted || counted.failureCount < config.WEBHOOK_DISABLE_AFTER_FAILURES) return;
  const reason = `${counted.failureCount} deliveries in a row failed. Last error: ${outcome.error ?? 'unknown'}`.slice(0, 1000);
  // Only the run that flips it mails, however many deliveries fail at once.
  const [disabled] = await db
    .update(webhooks)
    .set({ isActive: false, disabledAt: new Date(), disabledReason: reason })
    .where(inOrg(webhooks, webhook.organizationId, eq(webhooks.id, webhook.id), eq(webhooks.isActive, true)))
    .returning();
  if (!disabled) return;
  await forgetSubscriptions(services, webhook.organizationId);
  await mailAdmins(services, disabled, counted.failureCount, outcome.error ?? 'unknown');
}

async function mailAdmins(services: Services, webhook: WebhookRow, failures: number, lastError: string) {
  const admins = await services.db
    .select({ email: users.email, locale: users.locale })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(inOrg(memberships, webhook.organizationId, inArray(memberships.role, ['owner', 'admin'])));
  const link = `${services.config.APP_URL}/settings/webhooks/${webhook.id}`;
  for (const admin of admins) {
    await enqueueMail(
      services,
      renderMail('webhookDisabled', admin.locale, admin.email, { name: webhook.name, url: webhook.url, failures: String(failures), error: lastError, link }),
    );
  }
}

/** Makes the next attempt of a delivery now and records it. */
export async function runAttempt(services: Services, target: DeliveryTarget, mode: AttemptMode) {
  const attempt = target.delivery.attempts + 1;
  const outcome = await sendAttempt(services, target, attempt);
  const recorded = await recordAttempt(services, target, attempt, outcome, mode);
  return { attempt, outcome, recorded };
}

export async function loadTarget(db: Database, organizationId: string, deliveryId: string): Promise<DeliveryTarget | null> {
  const [row] = await db
    .select({ delivery: webhookDeliveries, webhook: webhooks })
    .from(webhookDeliveries)
    .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
    .where(inOrg(webhookDeliveries, organizationId, eq(webhookDeliveries.id, deliveryId)))
    .limit(1);
  return row ?? null;
}

/** Job `deliver-webhook`: one scheduled attempt. Idempotent: an attempt already made is not made again. */
export async function deliverWebhook(services: Services, payload: DeliverJobPayload) {
  const target = await loadTarget(services.db, payload.organizationId, payload.deliveryId);
  if (!target) return { skipped: 'deleted' };
  const { delivery, webhook } = target;
  if (delivery.status === 'pending' && delivery.attempts === payload.attempt) {
    // This attempt was made and logged, but the job failed before the queue took the next one:
    // queue it again (the deduplication id makes this a no-op when it was queued after all).
    const wait = Math.max(0, ((delivery.nextAttemptAt?.getTime() ?? Date.now()) - Date.now()) / 1000);
    await enqueueAttempt(services, { ...payload, attempt: payload.attempt + 1 }, wait);
    return { skipped: 'already attempted; next attempt queued' };
  }
  if (delivery.status !== 'pending' || delivery.attempts !== payload.attempt - 1) return { skipped: 'already attempted' };
  if (!webhook.isActive) {
    // Kept in the log as not sent; an admin can resend it once the endpoint is back on.
    await services.db
      .update(webhookDeliveries)
      .set({ status: 'failed', nextAttemptAt: null, lastError: 'Not sent: the endpoint is disabled' })
      .where(and(inOrg(webhookDeliveries, delivery.organizationId, eq(webhookDeliveries.id, delivery.id)), eq(webhookDeliveries.status, 'pending')));
    return { skipped: 'endpoint disabled' };
  }
  const { attempt, outcome } = await runAttempt(services, target, 'scheduled');
  return { attempt, ok: outcome.ok, status: outcome.responseStatus, error: outcome.error };
}
