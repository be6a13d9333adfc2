import { and, isNotNull, lt, or } from 'drizzle-orm';
import { z } from 'zod';
import { authTokens, invitations, refreshTokens } from '../../../db/schema';
import type { MailMessage, Services } from '../../ports';
import type { JobMeta } from './meta';
import { crawlPage } from '../ingest/crawl';
import { embedChunks, failStuckDocuments, giveUpIngestion, ingestDocument, INGEST_JOB_RETRIES } from '../ingest/pipeline';
import { answerLate, CHAT_REPLY_JOB, CHAT_REPLY_RETRIES, giveUpAnswer, recoverUnansweredMessages } from '../chat/recovery';
import { refreshDocument, refreshDueSources } from '../ingest/refresh';
import { ROLLUP_JOB, runRollupJob } from '../analytics/rollup';
import { deliverWebhook } from '../webhooks/deliver';
import { sweepStaleDeliveries } from '../webhooks/sweep';
import { deliverMessage, replyOnChannel } from '../channels/send';

/**
 * Background jobs by name. The queue (QStash, or the local runner) POSTs a signed request to
 * `/api/jobs/<name>`; a non-2xx answer makes it retry with back-off. Every handler must be
 * idempotent: a redelivered job does no harm.
 */
export type { JobMeta };

interface JobDefinition<T> {
  payload: z.ZodType<T>;
  run(services: Services, payload: T, meta: JobMeta): Promise<unknown>;
  /**
   * With `retries` (what the job is always enqueued with): when its last attempt throws, this
   * records the failure on the job's own row (document, message) with the reason, so nothing is
   * left half-done and silent. The reason is already storable and short.
   */
  giveUp?: { retries: number; run(services: Services, payload: T, reason: string): Promise<void> };
}

function defineJob<T>(definition: JobDefinition<T>): JobDefinition<T> {
  return definition;
}

const DAY_MS = 86_400_000;
const SWEEP_JOB = 'sweep-stuck-work';

export const jobs = {
  /** Mail goes through the queue so a provider hiccup retries instead of losing the message. */
  'send-mail': defineJob({
    payload: z.object({ to: z.email(), subject: z.string(), text: z.string(), html: z.string().optional() }),
    run: (services, message) => services.mail.send(message),
  }),
  /** Daily clean-up of credentials that can no longer be used. */
  'purge-expired': defineJob({
    payload: z.object({}).passthrough(),
    run: async ({ db }) => {
      const now = new Date();
      const monthAgo = new Date(now.getTime() - 30 * DAY_MS);
      const [tokens, auth, invites] = await Promise.all([
        db.delete(refreshTokens).where(lt(refreshTokens.expiresAt, now)).returning({ id: refreshTokens.id }),
        db
          .delete(authTokens)
          .where(or(lt(authTokens.expiresAt, now), isNotNull(authTokens.usedAt)))
          .returning({ id: authTokens.id }),
        db
          .delete(invitations)
          .where(or(lt(invitations.expiresAt, monthAgo), and(isNotNull(invitations.revokedAt), lt(invitations.createdAt, monthAgo))))
          .returning({ id: invitations.id }),
      ]);
      return { refreshTokens: tokens.length, authTokens: auth.length, invitations: invites.length };
    },
  }),
  'ingest-document': defineJob({
    payload: z.object({ documentId: z.uuid(), generation: z.number().int() }),
    run: ingestDocument,
    giveUp: { retries: INGEST_JOB_RETRIES, run: giveUpIngestion },
  }),
  'embed-chunks': defineJob({
    payload: z.object({ documentId: z.uuid(), generation: z.number().int(), from: z.number().int(), to: z.number().int() }),
    run: embedChunks,
    giveUp: { retries: INGEST_JOB_RETRIES, run: giveUpIngestion },
  }),
  /** A widget or API question left unanswered by a process that stopped mid-answer (core/chat/recovery.ts). */
  [CHAT_REPLY_JOB]: defineJob({
    payload: z.object({ messageId: z.uuid() }),
    run: (services, { messageId }) => answerLate(services, messageId),
    giveUp: { retries: CHAT_REPLY_RETRIES, run: (services, { messageId }, reason) => giveUpAnswer(services, messageId, reason) },
  }),
  /**
   * Every few minutes (and daily): work a crash or a lost queue message left hanging. Unanswered
   * questions get a reply job; documents stuck in processing past their deadline are failed.
   */
  [SWEEP_JOB]: defineJob({
    payload: z.object({}).passthrough(),
    run: async (services) => ({ ...(await recoverUnansweredMessages(services)), documents: await failStuckDocuments(services) }),
  }),
  'crawl-page': defineJob({
    payload: z.object({ documentId: z.uuid(), discoverOnly: z.boolean().optional() }),
    run: crawlPage,
  }),
  'refresh-document': defineJob({
    payload: z.object({ documentId: z.uuid() }),
    run: refreshDocument,
  }),
  /** One attempt of an outgoing webhook delivery; it schedules the next one itself on failure. */
  'deliver-webhook': defineJob({
    payload: z.object({ deliveryId: z.uuid(), organizationId: z.uuid(), attempt: z.number().int().positive() }),
    run: deliverWebhook,
  }),
  /** Daily: re-queues webhook deliveries whose next attempt is long overdue (a lost queue message). */
  'sweep-webhook-deliveries': defineJob({
    payload: z.object({}).passthrough(),
    run: (services) => sweepStaleDeliveries(services),
  }),
  /**
   * Daily analytics roll-up into daily_metrics. Without `organizationId` (the daily trigger) it
   * queues one job per organization with activity; with it, it rolls up `days` complete local
   * days ending at `day` (default: yesterday there), replacing them: any past day can be redone.
   */
  [ROLLUP_JOB]: defineJob({
    payload: z.object({
      day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
      organizationId: z.uuid().optional(),
      days: z.number().int().min(1).max(400).optional(),
    }),
    run: (services, payload) => runRollupJob(services, payload),
  }),
  /** Daily: URL and website sources whose refresh schedule is due. */
  'refresh-due-sources': defineJob({
    payload: z.object({}).passthrough(),
    run: (services) => refreshDueSources(services),
  }),
  /** A customer's channel message: the chat engine answers it and the answer is sent (both idempotent). */
  'channel-reply': defineJob({
    payload: z.object({ messageId: z.uuid() }),
    run: (services, { messageId }) => replyOnChannel(services, messageId),
  }),
  /**
   * A bot answer or an agent's inbox reply to a WhatsApp/Messenger/Instagram/Telegram conversation.
   * Platform hiccups re-queue it with `attempt + 1` after Retry-After (see core/channels/send.ts).
   */
  'send-channel-message': defineJob({
    payload: z.object({ messageId: z.uuid(), attempt: z.number().int().min(1).optional() }),
    run: (services, { messageId, attempt }) => deliverMessage(services, messageId, attempt ?? 1),
  }),
} satisfies Record<string, { payload: z.ZodType; run: (services: Services, payload: never, meta: JobMeta) => Promise<unknown> }>;

/** Jobs the daily trigger queues (Workers cron on the edge, a timer in the Node server). */
export const DAILY_JOBS = ['purge-expired', 'refresh-due-sources', ROLLUP_JOB, 'sweep-webhook-deliveries', SWEEP_JOB] as const;

/** How often the sweep runs besides daily: the edge's frequent cron, the local runtime's timer. */
export const SWEEP_INTERVAL_MINUTES = 5;

/** Queues the sweep once per interval slot (`at` rounded down); repeats within a slot are dropped. */
export async function enqueueSweep(services: Pick<Services, 'queue'>, at = new Date()) {
  const slot = Math.floor(at.getTime() / (SWEEP_INTERVAL_MINUTES * 60_000));
  return services.queue.enqueue(SWEEP_JOB, {}, { deduplicationId: `${SWEEP_JOB}:${slot}` });
}

/** Queues the daily jobs for `day` (YYYY-MM-DD); the deduplication id makes repeats harmless. */
export async function enqueueDailyJobs(services: Pick<Services, 'queue'>, day: string) {
  const ids: string[] = [];
  for (const name of DAILY_JOBS) {
    const { messageId } = await services.queue.enqueue(name, { day }, { deduplicationId: `${name}:${day}` });
    ids.push(messageId);
  }
  return ids;
}

export type JobName = keyof typeof jobs;

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(jobs, name);
}

/** Queue a mail; delivery happens in the `send-mail` job with retries. */
export function enqueueMail(services: Services, message: MailMessage) {
  return services.queue.enqueue('send-mail', message);
}
