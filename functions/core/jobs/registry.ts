import { and, isNotNull, lt, or } from 'drizzle-orm';
import { authTokens, invitations, refreshTokens } from '../../../db/schema';
import type { Services } from '../../ports';
import type { JobMeta } from './meta';
import { SWEEP_JOB, type JobName, type JobPayload } from './catalog';
import { crawlPage } from '../ingest/crawl';
import { embedChunks, failStuckDocuments, giveUpIngestion, ingestDocument } from '../ingest/pipeline';
import { answerLate, giveUpAnswer, recoverUnansweredMessages } from '../chat/recovery';
import { refreshDocument, refreshDueSources } from '../ingest/refresh';
import { ROLLUP_JOB, runRollupJob } from '../analytics/rollup';
import { deliverWebhook } from '../webhooks/deliver';
import { sweepStaleDeliveries } from '../webhooks/sweep';
import { deliverMessage, replyOnChannel } from '../channels/send';

/**
 * Background job handlers by name. The queue (QStash, or the local runner) POSTs a signed request
 * to `/api/jobs/<name>`; a non-2xx answer makes it retry with back-off. Names, payload schemas,
 * retries and idempotency keys are in core/jobs/catalog.ts; this module only says what each job
 * does. Every handler must be idempotent: a redelivered job does no harm.
 */
export type { JobMeta };
export { DAILY_JOBS, isJobName, type JobName } from './catalog';
export { enqueueDailyJobs, enqueueMail, enqueueSweep } from './queue';
export { SWEEP_INTERVAL_MINUTES } from './catalog';

type JobHandler<N extends JobName> = (services: Services, payload: JobPayload<N>, meta: JobMeta) => Promise<unknown>;

const DAY_MS = 86_400_000;

export const jobs = {
  'send-mail': (services, message) => services.mail.send(message),
  /** Daily clean-up of credentials that can no longer be used. */
  'purge-expired': async ({ db }) => {
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
  'ingest-document': ingestDocument,
  'embed-chunks': embedChunks,
  'chat-reply': (services, { messageId }) => answerLate(services, messageId),
  [SWEEP_JOB]: async (services) => ({ ...(await recoverUnansweredMessages(services)), documents: await failStuckDocuments(services) }),
  'crawl-page': crawlPage,
  'refresh-document': refreshDocument,
  'deliver-webhook': deliverWebhook,
  'sweep-webhook-deliveries': (services) => sweepStaleDeliveries(services),
  [ROLLUP_JOB]: (services, payload) => runRollupJob(services, payload),
  'refresh-due-sources': (services) => refreshDueSources(services),
  'channel-reply': (services, { messageId }) => replyOnChannel(services, messageId),
  'send-channel-message': (services, { messageId, attempt }) => deliverMessage(services, messageId, attempt ?? 1),
} satisfies { [N in JobName]: JobHandler<N> };

type GiveUp<N extends JobName> = (services: Services, payload: JobPayload<N>, reason: string) => Promise<void>;

/**
 * When a job's last attempt (the catalog's `retries`) throws, this records the failure on the
 * job's own row (document, message) with the reason, so nothing is left half-done and silent.
 */
const giveUps: { [N in JobName]?: GiveUp<N> } = {
  'ingest-document': giveUpIngestion,
  'embed-chunks': giveUpIngestion,
  'chat-reply': (services, { messageId }, reason) => giveUpAnswer(services, messageId, reason),
};

/** The give-up step of job `name`, if it has one. */
export function giveUpFor<N extends JobName>(name: N): GiveUp<N> | undefined {
  return (giveUps as { [K in JobName]?: GiveUp<K> })[name];
}

/** Runs job `name` on a payload the route has already parsed with the catalog's schema. */
export function runJob<N extends JobName>(services: Services, name: N, payload: JobPayload<N>, meta: JobMeta): Promise<unknown> {
  const handlers: { [K in JobName]: JobHandler<K> } = jobs;
  const handler: JobHandler<N> = handlers[name];
  return handler(services, payload, meta);
}
