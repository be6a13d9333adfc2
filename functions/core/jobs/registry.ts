import { and, isNotNull, lt, or } from 'drizzle-orm';
import { authTokens, invitations, refreshTokens } from '../../../db/schema';
import type { Services } from '../../ports';
import type { JobMeta } from './meta';
import { SWEEP_JOB, type IngestJobName, type JobName, type JobPayload } from './catalog';
import { failStuckDocuments, giveUpIngestion } from '../ingest/pipeline';
import { answerLate, giveUpAnswer, recoverUnansweredMessages } from '../chat/recovery';
import { refreshDueSources } from '../ingest/refresh';
import { ROLLUP_JOB, runRollupJob } from '../analytics/rollup';
import { deliverWebhook } from '../webhooks/deliver';
import { sweepStaleDeliveries } from '../webhooks/sweep';
import { deliverMessage, replyOnChannel } from '../channels/send';
import { downloadMessageMedia, giveUpMedia } from '../channels/media-download';
import { refreshContactProfile } from '../channels/profiles';
import { giveUpTranscription, transcribeMessageAudio } from '../channels/transcription';
import { PURGE_JOB, runPurgeJob } from '../privacy/retention';
import { purgeDueOrganizations } from '../lifecycle/organization-deletion';
import { flushApiKeyUsage } from '../orgs/api-key-usage';
import { resumeEmbeddingSwitches } from '../knowledge/embedding-switch';

/**
 * Background job handlers by name. The queue (QStash, or the local runner) POSTs a signed request
 * to `/api/jobs/<name>`; a non-2xx answer makes it retry with back-off. Names, payload schemas,
 * retries and idempotency keys are in core/jobs/catalog.ts; this module only says what each job
 * does. Every handler must be idempotent: a redelivered job does no harm.
 *
 * The handlers here are the request side's; the ingestion jobs are in core/ingest/jobs.ts so that
 * the edge's request worker never imports the extractors (core/jobs/all.ts joins both for Node).
 */
export type { JobMeta };
export { DAILY_JOBS, isJobName, type JobName } from './catalog';
export { enqueueDailyJobs, enqueueMail, enqueueSweep } from './queue';
export { SWEEP_INTERVAL_MINUTES } from './catalog';

export type JobHandler<N extends JobName> = (services: Services, payload: JobPayload<N>, meta: JobMeta) => Promise<unknown>;
export type GiveUp<N extends JobName> = (services: Services, payload: JobPayload<N>, reason: string) => Promise<void>;

/**
 * The jobs one deployment runs: what each does, and for some, what their last failed attempt
 * records (see giveUps below). The job route (routes/jobs.ts) serves exactly these.
 */
export interface JobTable {
  handlers: { [N in JobName]?: JobHandler<N> };
  giveUps: { [N in JobName]?: GiveUp<N> };
}

const DAY_MS = 86_400_000;

const requestHandlers = {
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
  'purge-deleted-organizations': (services) => purgeDueOrganizations(services),
  'chat-reply': (services, { messageId }) => answerLate(services, messageId),
  [SWEEP_JOB]: async (services) => ({
    ...(await recoverUnansweredMessages(services)),
    documents: await failStuckDocuments(services),
    apiKeyRequests: await flushApiKeyUsage(services),
    embeddingSwitches: await resumeEmbeddingSwitches(services),
  }),
  'deliver-webhook': deliverWebhook,
  'sweep-webhook-deliveries': (services) => sweepStaleDeliveries(services),
  [ROLLUP_JOB]: (services, payload) => runRollupJob(services, payload),
  'refresh-due-sources': (services) => refreshDueSources(services),
  'channel-reply': (services, { messageId }) => replyOnChannel(services, messageId),
  'send-channel-message': (services, { messageId, attempt }) => deliverMessage(services, messageId, attempt ?? 1),
  'download-media': (services, { messageId, reply }) => downloadMessageMedia(services, messageId, reply),
  'transcribe-audio': (services, { messageId, reply }) => transcribeMessageAudio(services, messageId, reply),
  'channel-profile': (services, { contactId, integrationId }) => refreshContactProfile(services, contactId, integrationId),
  [PURGE_JOB]: (services, payload) => runPurgeJob(services, payload),
} satisfies { [N in Exclude<JobName, IngestJobName>]: JobHandler<N> };

/**
 * When a job's last attempt (the catalog's `retries`) throws, this records the failure on the
 * job's own row (document, message) with the reason, so nothing is left half-done and silent.
 */
export const requestJobs: JobTable = {
  handlers: requestHandlers,
  giveUps: {
    'chat-reply': (services, { messageId }, reason) => giveUpAnswer(services, messageId, reason),
    'download-media': (services, { messageId, reply }, reason) => giveUpMedia(services, messageId, reply, reason),
    'transcribe-audio': (services, { messageId, reply }, reason) => giveUpTranscription(services, messageId, reply, reason),
    // The ingestion jobs' give-ups only mark the document, so the request side can record them too.
    'ingest-document': giveUpIngestion,
    'embed-chunks': giveUpIngestion,
  },
};

/** One table from several (the Node runtime serves the request jobs and the ingestion jobs). */
export function joinJobTables(...tables: JobTable[]): JobTable {
  return {
    handlers: Object.assign({}, ...tables.map((t) => t.handlers)),
    giveUps: Object.assign({}, ...tables.map((t) => t.giveUps)),
  };
}

/** The give-up step of job `name` in `table`, if it has one. */
export function giveUpFor<N extends JobName>(table: JobTable, name: N): GiveUp<N> | undefined {
  return (table.giveUps as { [K in JobName]?: GiveUp<K> })[name];
}

/** The handler of job `name` in `table`, or undefined where this deployment does not run it. */
export function handlerFor<N extends JobName>(table: JobTable, name: N): JobHandler<N> | undefined {
  return (table.handlers as { [K in JobName]?: JobHandler<K> })[name];
}
