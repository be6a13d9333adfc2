import { z } from 'zod';

/**
 * Every background job in one list: its name, the schema of its payload, how many times the queue
 * retries it, and its idempotency key (the queue's deduplication id: the same key within the
 * window is delivered once). `queue.enqueue` is typed from this list and fills in the retries and
 * the key; the job route (routes/jobs.ts) checks each payload against the same schema before the
 * handler (core/jobs/registry.ts) runs. This module imports nothing of ours, so anything may import it.
 */
export interface JobSpec<S extends z.ZodType> {
  payload: S;
  /** Redeliveries after the first attempt when the handler fails (QStash `retries`). */
  retries: number;
  /** Deduplication id for a payload; none means every enqueue is a new job. */
  idempotencyKey?: (payload: z.infer<S>) => string | undefined;
}

function job<S extends z.ZodType>(spec: JobSpec<S>): JobSpec<S> {
  return spec;
}

/** QStash's default for our client; the local runner uses the same number. */
const RETRIES = 3;
/** Ingest jobs mark a document failed on their last retry: the same number as INGEST_JOB_RETRIES in core/ingest/pipeline.ts. */
const INGEST_JOB_RETRIES = 3;
/** Queue-level retries of one webhook attempt; the delivery's own schedule is in core/webhooks/deliver.ts. */
const WEBHOOK_JOB_RETRIES = 3;

const dayString = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
/** Daily jobs take the day they run for; its deduplication id makes a repeated trigger harmless. */
const dailyPayload = z.object({ day: z.string().optional() }).passthrough();
const dailyKey = (name: string) => (payload: { day?: string }) => (payload.day ? `${name}:${payload.day}` : undefined);

/** The same name as ROLLUP_JOB in core/analytics/rollup.ts (the catalog imports no domain module). */
const ROLLUP_JOB = 'rollup-daily-metrics';
/** Work a crash or a lost queue message left hanging; runs every few minutes and daily. */
export const SWEEP_JOB = 'sweep-stuck-work';
/** How often the sweep runs besides daily: the edge's frequent cron, the local runtime's timer. */
export const SWEEP_INTERVAL_MINUTES = 5;
/** The same name as REEMBED_JOB in core/knowledge/embedding-switch.ts. */
const REEMBED_JOB = 'reembed-knowledge-base';
/** The same name as PURGE_JOB in core/privacy/retention.ts. */
const PURGE_RETENTION_JOB = 'purge-retention';
/** A late answer gives up (and marks the question) after this many retries: core/chat/recovery.ts. */
const CHAT_REPLY_RETRIES = 2;

export const jobCatalog = {
  /** Mail goes through the queue so a provider hiccup retries instead of losing the message. */
  'send-mail': job({
    payload: z.object({ to: z.email(), subject: z.string(), text: z.string(), html: z.string().optional() }),
    retries: RETRIES,
  }),
  /** Daily clean-up of credentials that can no longer be used. */
  'purge-expired': job({ payload: dailyPayload, retries: RETRIES, idempotencyKey: dailyKey('purge-expired') }),
  'ingest-document': job({
    payload: z.object({ documentId: z.uuid(), generation: z.number().int() }),
    retries: INGEST_JOB_RETRIES,
    idempotencyKey: (p) => `ingest:${p.documentId}:${p.generation}`,
  }),
  /**
   * No idempotency key: a redelivered ingest rewrites the chunks and needs its batches again; a
   * redelivered batch finds its chunks embedded and does nothing.
   */
  'embed-chunks': job({
    payload: z.object({ documentId: z.uuid(), generation: z.number().int(), from: z.number().int(), to: z.number().int() }),
    retries: INGEST_JOB_RETRIES,
  }),
  /** A widget or API question left unanswered by a process that stopped mid-answer (core/chat/recovery.ts). */
  'chat-reply': job({
    payload: z.object({ messageId: z.uuid() }),
    retries: CHAT_REPLY_RETRIES,
    idempotencyKey: (p) => `chat-reply:${p.messageId}`,
  }),
  /**
   * Every few minutes (and daily): unanswered questions get a reply job; documents stuck in
   * processing past their deadline are failed. One run per interval slot (the caller's key).
   */
  [SWEEP_JOB]: job({ payload: dailyPayload, retries: RETRIES }),
  /** A discovery-only crawl (a refresh looking for new pages) may run again at any time. */
  'crawl-page': job({
    payload: z.object({ documentId: z.uuid(), discoverOnly: z.boolean().optional() }),
    retries: INGEST_JOB_RETRIES,
    idempotencyKey: (p) => (p.discoverOnly ? undefined : `crawl:${p.documentId}`),
  }),
  'refresh-document': job({ payload: z.object({ documentId: z.uuid() }), retries: INGEST_JOB_RETRIES }),
  /**
   * A knowledge base's switch to another embedding model (core/knowledge/embedding-switch.ts):
   * some batches per run, then it queues its own continuation with the new progress. `done` is
   * only part of the key: a resume queued by the sweep while a run is active is dropped.
   */
  [REEMBED_JOB]: job({
    payload: z.object({ knowledgeBaseId: z.uuid(), model: z.string(), done: z.number().int().min(0) }),
    retries: INGEST_JOB_RETRIES,
    idempotencyKey: (p) => `reembed:${p.knowledgeBaseId}:${p.model}:${p.done}`,
  }),
  /** One attempt of an outgoing webhook delivery; it schedules the next one itself on failure. */
  'deliver-webhook': job({
    payload: z.object({ deliveryId: z.uuid(), organizationId: z.uuid(), attempt: z.number().int().positive() }),
    retries: WEBHOOK_JOB_RETRIES,
    idempotencyKey: (p) => `webhook-${p.deliveryId}-${p.attempt}`,
  }),
  /** Daily: re-queues webhook deliveries whose next attempt is long overdue (a lost queue message). */
  'sweep-webhook-deliveries': job({ payload: dailyPayload, retries: RETRIES, idempotencyKey: dailyKey('sweep-webhook-deliveries') }),
  /**
   * Daily analytics roll-up into daily_metrics. Without `organizationId` (the daily trigger) it
   * queues one job per organization with activity; with it, it rolls up `days` complete local
   * days ending at `day` (default: yesterday there), replacing them: any past day can be redone.
   * The fan-out passes its own key (it depends on the day the trigger ran, not only the payload).
   */
  [ROLLUP_JOB]: job({
    payload: z.object({
      day: dayString.optional(),
      organizationId: z.uuid().optional(),
      days: z.number().int().min(1).max(400).optional(),
    }),
    retries: RETRIES,
    idempotencyKey: (p) =>
      p.organizationId ? (p.day && p.days ? `${ROLLUP_JOB}:${p.organizationId}:${p.day}:${p.days}` : undefined) : dailyKey(ROLLUP_JOB)(p),
  }),
  /** Daily: organizations whose deletion grace period is over are purged. */
  'purge-deleted-organizations': job({ payload: dailyPayload, retries: RETRIES, idempotencyKey: dailyKey('purge-deleted-organizations') }),
  /** Daily: URL and website sources whose refresh schedule is due. */
  'refresh-due-sources': job({ payload: dailyPayload, retries: RETRIES, idempotencyKey: dailyKey('refresh-due-sources') }),
  /** A customer's channel message: the chat engine answers it and the answer is sent (both idempotent). */
  'channel-reply': job({
    payload: z.object({ messageId: z.uuid() }),
    retries: RETRIES,
    idempotencyKey: (p) => `channel-reply:${p.messageId}`,
  }),
  /**
   * A bot answer or an agent's inbox reply to a WhatsApp/Messenger/Instagram/Telegram conversation.
   * Platform hiccups re-queue it with `attempt + 1` after Retry-After (see core/channels/send.ts).
   */
  'send-channel-message': job({
    payload: z.object({ messageId: z.uuid(), attempt: z.number().int().min(1).optional() }),
    retries: RETRIES,
    idempotencyKey: (p) => (p.attempt ? `send-channel-message:${p.messageId}:${p.attempt}` : `send:${p.messageId}`),
  }),
  /**
   * The files of an incoming channel message, from the platform into blob storage
   * (core/channels/media-download.ts); `reply` queues the bot's answer once they are in.
   */
  'download-media': job({
    payload: z.object({ messageId: z.uuid(), reply: z.boolean().default(false) }),
    retries: RETRIES,
    idempotencyKey: (p) => `download-media:${p.messageId}`,
  }),
  /**
   * The stored audio of an incoming channel message, transcribed by the organization's model
   * (core/channels/transcription.ts); `reply` queues the bot's answer once the text is in.
   */
  'transcribe-audio': job({
    payload: z.object({ messageId: z.uuid(), reply: z.boolean().default(false) }),
    retries: RETRIES,
    idempotencyKey: (p) => `transcribe-audio:${p.messageId}`,
  }),
  /** A Messenger/Instagram contact's name and picture from the user profile API (core/channels/profiles.ts), at most daily. */
  'channel-profile': job({
    payload: z.object({ contactId: z.uuid(), integrationId: z.uuid() }),
    retries: RETRIES,
  }),
  /**
   * Nightly retention purge (core/privacy/retention.ts). Without `organizationId` (the daily
   * trigger) it queues one job per organization with retention set; with it, it deletes in
   * batches for a bounded time and queues its own continuation (`round` + 1, same `startedAt`,
   * running `totals`) until done. Callers pass the key (organization, day, round).
   */
  [PURGE_RETENTION_JOB]: job({
    payload: z.object({
      day: dayString.optional(),
      organizationId: z.uuid().optional(),
      startedAt: z.iso.datetime().optional(),
      round: z.number().int().min(0).optional(),
      totals: z.object({ conversations: z.number().int(), messages: z.number().int(), files: z.number().int() }).optional(),
    }),
    retries: RETRIES,
    idempotencyKey: (p) => (p.organizationId ? undefined : dailyKey(PURGE_RETENTION_JOB)(p)),
  }),
} satisfies Record<string, JobSpec<z.ZodType>>;

export type JobName = keyof typeof jobCatalog;
/** What a job's handler receives (after the route has parsed it). */
export type JobPayload<N extends JobName> = z.infer<(typeof jobCatalog)[N]['payload']>;
/** What a caller passes to `enqueue` (before defaults are applied). */
export type JobInput<N extends JobName> = z.input<(typeof jobCatalog)[N]['payload']>;

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(jobCatalog, name);
}

/** Options of one enqueue (the queue port's EnqueueOptions). */
export interface JobOptions {
  delaySeconds?: number;
  deduplicationId?: string;
  retries?: number;
}

/** The catalog's retries and idempotency key, unless the caller gave its own. */
export function jobOptions<N extends JobName>(name: N, payload: JobInput<N>, options: JobOptions = {}): JobOptions {
  const spec = jobCatalog[name] as JobSpec<z.ZodType>;
  const key = options.deduplicationId ?? spec.idempotencyKey?.(payload);
  return { ...options, retries: options.retries ?? spec.retries, ...(key ? { deduplicationId: key } : {}) };
}

/**
 * The ingestion jobs: they extract, chunk and embed, with the format libraries that takes (the
 * PDF one alone is megabytes). At the edge they run in the ingestion worker
 * (functions/ingest-worker.ts), which the request worker forwards their deliveries to; the Node
 * runtime runs them in process like every other job.
 */
export const INGEST_JOBS = ['ingest-document', 'embed-chunks', 'crawl-page', 'refresh-document', REEMBED_JOB] as const satisfies readonly JobName[];
export type IngestJobName = (typeof INGEST_JOBS)[number];

export function isIngestJob(name: string): name is IngestJobName {
  return (INGEST_JOBS as readonly string[]).includes(name);
}

/** Jobs the daily trigger queues (Workers cron on the edge, a timer in the Node server). */
export const DAILY_JOBS = ['purge-expired', 'refresh-due-sources', ROLLUP_JOB, 'sweep-webhook-deliveries', SWEEP_JOB, PURGE_RETENTION_JOB, 'purge-deleted-organizations'] as const;
