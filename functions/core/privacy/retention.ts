import { and, asc, eq, gt, gte, inArray, isNotNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { conversations, documents, messages, organizations } from '../../../db/schema';
import type { Services } from '../../ports';
import { deleteDocument } from '../knowledge/documents';
import { recordAudit, type AuditActor } from '../audit';
import { privacyOf, type RetentionSettings } from './settings';
import { blobKeysOf, deleteBlobs, FILE_REMOVED } from './files';
import { forgetApiConversations } from '../chat/api-chat';

/**
 * The nightly retention purge: what an organization's retention settings say is too old goes, in
 * small batches. Each batch is one short statement (no long transaction holds locks or, on the
 * local runtime's in-process database, the event loop), the batch size adapts to keep each one
 * near `targetBatchMs`, and the loop yields between batches so requests keep flowing. Every
 * batch re-reads what is still expired, so a run that stops anywhere (a deploy, a crash, its
 * time budget) is finished by the next one, and running twice deletes nothing twice.
 */
export interface PurgeCounts {
  conversations: number;
  messages: number;
  files: number;
}

export interface PurgeOptions {
  /** The moment ages are measured from; a continued run passes the first run's, so cutoffs do not drift. */
  now: Date;
  /** Stop (resumably) at this time (epoch ms); the job continues itself in a new delivery. */
  deadline?: number;
  /** Rows per batch at the start and its bounds (the size adapts between them). */
  batchSize?: number;
  minBatch?: number;
  maxBatch?: number;
  /** How long one batch should take; shorter batches grow, longer ones shrink. */
  targetBatchMs?: number;
  /** Pause between batches, so requests waiting on the database or the event loop go first. */
  pauseMs?: number;
  /** Told after each batch (benchmarks print progress). */
  onBatch?: (counts: PurgeCounts) => void;
}

const DAY_MS = 86_400_000;
/** Conversations removed together: their messages go first, in message batches. */
const CONVERSATION_BATCH = 50;
/** Conversation previews cleared per statement. */
const PREVIEW_BATCH = 200;

export function emptyCounts(): PurgeCounts {
  return { conversations: 0, messages: 0, files: 0 };
}

export function hasRetention(retention: RetentionSettings) {
  return retention.conversationsDays !== null || retention.messagesDays !== null || retention.filesDays !== null;
}

const cutoff = (now: Date, days: number) => new Date(now.getTime() - days * DAY_MS);
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Batch sizes that follow how long the last batch took. */
function adaptiveBatch(options: PurgeOptions) {
  const min = options.minBatch ?? 100;
  const max = options.maxBatch ?? 5000;
  const target = options.targetBatchMs ?? 10;
  let size = Math.min(max, Math.max(min, options.batchSize ?? 100));
  return {
    get size() {
      return size;
    },
    tookMs(ms: number) {
      if (ms < target / 2) size = Math.min(max, size * 2);
      else if (ms > target * 1.5) size = Math.max(min, Math.floor(size / 2));
    },
  };
}

type Batch = ReturnType<typeof adaptiveBatch>;

async function timed<T>(batch: Batch, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  batch.tookMs(performance.now() - started);
  return result;
}

function outOfTime(options: PurgeOptions) {
  return options.deadline !== undefined && Date.now() >= options.deadline;
}

/**
 * Deletes the messages `where` selects, a batch at a time, their files' blobs first (a crash
 * between the two leaves rows pointing at missing blobs, never blobs nobody can find). Returns
 * false when it stopped for time.
 */
async function deleteMessagesWhere(services: Services, where: SQL, counts: PurgeCounts, batch: Batch, options: PurgeOptions): Promise<boolean> {
  // Where the last batch ended: everything older is already deleted. Without it each batch's
  // index scan would walk past every entry the batches before it deleted (nothing vacuums them
  // during the run; locally nothing vacuums at all), so a million rows cost O(n²).
  let from: Date | undefined;
  for (;;) {
    if (outOfTime(options)) return false;
    const deleted = await timed(batch, async () => {
      const rows = await services.db
        .select({ id: messages.id, metadata: messages.metadata, createdAt: messages.createdAt })
        .from(messages)
        .where(from ? and(where, gte(messages.createdAt, from)) : where)
        .orderBy(asc(messages.createdAt))
        .limit(batch.size);
      if (rows.length === 0) return 0;
      // `>=`: rows sharing the last timestamp may not all have fitted in this batch.
      from = rows[rows.length - 1].createdAt;
      const keys = rows.flatMap((r) => blobKeysOf(r.metadata));
      if (keys.length > 0) counts.files += await deleteBlobs(services, keys);
      await services.db.delete(messages).where(inArray(messages.id, rows.map((r) => r.id)));
      return rows.length;
    });
    if (deleted === 0) return true;
    counts.messages += deleted;
    options.onBatch?.(counts);
    await pause(options.pauseMs ?? 2);
  }
}

/** Conversations idle past the cutoff, with everything in them. */
async function purgeConversations(services: Services, organizationId: string, before: Date, counts: PurgeCounts, batch: Batch, options: PurgeOptions) {
  const idle = and(
    eq(conversations.organizationId, organizationId),
    or(lt(conversations.lastMessageAt, before), and(sql`${conversations.lastMessageAt} is null`, lt(conversations.createdAt, before))),
  );
  for (;;) {
    if (outOfTime(options)) return false;
    const rows = await services.db.select({ id: conversations.id }).from(conversations).where(idle).limit(CONVERSATION_BATCH);
    if (rows.length === 0) return true;
    const ids = rows.map((r) => r.id);
    const inThese = and(eq(messages.organizationId, organizationId), inArray(messages.conversationId, ids)) as SQL;
    if (!(await deleteMessagesWhere(services, inThese, counts, batch, options))) return false;
    const gone = await services.db.delete(conversations).where(and(idle, inArray(conversations.id, ids))).returning({ id: conversations.id });
    counts.conversations += gone.length;
    if (gone.length > 0) await forgetApiConversations(services, organizationId);
    options.onBatch?.(counts);
    await pause(options.pauseMs ?? 2);
  }
}

/** Messages past the cutoff; their conversations stay (with no preview of what was deleted). */
async function purgeMessages(services: Services, organizationId: string, before: Date, counts: PurgeCounts, batch: Batch, options: PurgeOptions) {
  const old = and(eq(messages.organizationId, organizationId), lt(messages.createdAt, before)) as SQL;
  if (!(await deleteMessagesWhere(services, old, counts, batch, options))) return false;
  return clearPreviews(services, organizationId, before, options);
}

/**
 * The preview is a copy of the last message's text, so it goes with the message. A bounded batch
 * per statement: one UPDATE of every expired conversation (ten thousand for a million messages)
 * held the connection, and on the local runtime the event loop, for the whole rewrite.
 */
async function clearPreviews(services: Services, organizationId: string, before: Date, options: PurgeOptions) {
  const expired = and(eq(conversations.organizationId, organizationId), lt(conversations.lastMessageAt, before), isNotNull(conversations.lastMessagePreview));
  for (;;) {
    if (outOfTime(options)) return false;
    const batch = services.db.select({ id: conversations.id }).from(conversations).where(expired).limit(PREVIEW_BATCH);
    const cleared = await services.db.update(conversations).set({ lastMessagePreview: null }).where(inArray(conversations.id, batch)).returning({ id: conversations.id });
    if (cleared.length < PREVIEW_BATCH) return true;
    await pause(options.pauseMs ?? 2);
  }
}

/**
 * Files past the cutoff: message attachments (the blob goes, the message says the file was
 * removed) and knowledge documents a contact uploaded (row, chunks, vectors and original).
 * Walks messages in (created_at, id) order so each expired message is read once per run.
 */
async function purgeFiles(services: Services, organizationId: string, before: Date, counts: PurgeCounts, batch: Batch, options: PurgeOptions) {
  type Row = { id: string; createdAt: Date; metadata: Record<string, unknown> };
  let after: Row | null = null;
  for (;;) {
    if (outOfTime(options)) return false;
    const position: SQL | undefined = after
      ? or(gt(messages.createdAt, after.createdAt), and(eq(messages.createdAt, after.createdAt), gt(messages.id, after.id)))
      : undefined;
    const rows: Row[] = await timed(batch, () =>
      services.db
        .select({ id: messages.id, createdAt: messages.createdAt, metadata: messages.metadata })
        .from(messages)
        .where(and(eq(messages.organizationId, organizationId), lt(messages.createdAt, before), sql`${messages.metadata} ? 'attachments'`, position))
        .orderBy(asc(messages.createdAt), asc(messages.id))
        .limit(batch.size),
    );
    if (rows.length === 0) break;
    after = rows[rows.length - 1];
    const withFiles = rows.filter((r) => blobKeysOf(r.metadata).length > 0);
    if (withFiles.length > 0) {
      counts.files += await deleteBlobs(services, withFiles.flatMap((r) => blobKeysOf(r.metadata)));
      await services.db
        .update(messages)
        .set({
          metadata: sql`jsonb_set(${messages.metadata}, '{attachments}', (
            select coalesce(jsonb_agg(case when a->>'blobKey' is null then a else a || ${JSON.stringify(FILE_REMOVED)}::jsonb end), '[]'::jsonb)
            from jsonb_array_elements(${messages.metadata}->'attachments') a))`,
        })
        .where(inArray(messages.id, withFiles.map((r) => r.id)));
    }
    await pause(options.pauseMs ?? 2);
  }
  const uploaded = await services.db
    .select({ id: documents.id, knowledgeBaseId: documents.knowledgeBaseId })
    .from(documents)
    .where(and(eq(documents.organizationId, organizationId), sql`${documents.metadata} ? 'contactId'`, lt(documents.createdAt, before)));
  for (const doc of uploaded) {
    await deleteDocument(services, organizationId, doc.knowledgeBaseId, doc.id);
    counts.files += 1;
  }
  return true;
}

/**
 * One organization's purge under `retention`. Files first (cheapest to lose, and the longest
 * message rules may not reach them), then whole conversations, then single messages. `done` is
 * false when the deadline stopped it: the caller runs it again with the same `now`.
 */
export async function purgeOrganization(
  services: Services,
  organizationId: string,
  retention: RetentionSettings,
  options: PurgeOptions,
): Promise<{ counts: PurgeCounts; done: boolean }> {
  const counts = emptyCounts();
  const batch = adaptiveBatch(options);
  const steps: Array<() => Promise<boolean>> = [];
  if (retention.filesDays !== null) steps.push(() => purgeFiles(services, organizationId, cutoff(options.now, retention.filesDays!), counts, batch, options));
  if (retention.conversationsDays !== null) {
    steps.push(() => purgeConversations(services, organizationId, cutoff(options.now, retention.conversationsDays!), counts, batch, options));
  }
  if (retention.messagesDays !== null) steps.push(() => purgeMessages(services, organizationId, cutoff(options.now, retention.messagesDays!), counts, batch, options));
  for (const step of steps) {
    if (!(await step())) return { counts, done: false };
  }
  return { counts, done: true };
}

/** Organizations with any retention set (the nightly fan-out). */
export async function organizationsWithRetention(services: Pick<Services, 'db'>): Promise<string[]> {
  const rows = await services.db
    .select({ id: organizations.id, settings: organizations.settings })
    .from(organizations)
    .where(sql`${organizations.settings}->'privacy'->'retention' is not null`);
  return rows.filter((r) => hasRetention(privacyOf(r.settings).retention)).map((r) => r.id);
}

/** The audit log's "who" for what the schedule does on its own. */
export const SCHEDULER_ACTOR: AuditActor = { ip: 'system', userAgent: 'retention-purge' };

export const PURGE_JOB = 'purge-retention';
/** One delivery works this long, then continues in a new one (Workers and QStash like short requests). */
const JOB_BUDGET_MS = 20_000;

export interface PurgeJobPayload {
  day?: string;
  organizationId?: string;
  /** The first run's start (ISO), kept by continuations. */
  startedAt?: string;
  round?: number;
  totals?: PurgeCounts;
}

/**
 * The job: without an organization, one job per organization with retention; with one, its purge
 * for up to JOB_BUDGET_MS, then either a continuation (round + 1, running totals) or, when done,
 * the audit entry with what was deleted (counts only).
 */
export async function runPurgeJob(services: Services, payload: PurgeJobPayload) {
  const day = payload.day ?? new Date().toISOString().slice(0, 10);
  if (!payload.organizationId) {
    const orgIds = await organizationsWithRetention(services);
    for (const organizationId of orgIds) {
      await services.queue.enqueue(PURGE_JOB, { day, organizationId }, { deduplicationId: `${PURGE_JOB}:${organizationId}:${day}:0` });
    }
    return { organizations: orgIds.length };
  }
  const organizationId = payload.organizationId;
  const [org] = await services.db.select({ settings: organizations.settings }).from(organizations).where(eq(organizations.id, organizationId));
  if (!org) return { skipped: 'organization deleted' };
  const { retention } = privacyOf(org.settings);
  if (!hasRetention(retention)) return { skipped: 'retention off' };
  const startedAt = payload.startedAt ?? new Date().toISOString();
  const round = payload.round ?? 0;
  const { counts, done } = await purgeOrganization(services, organizationId, retention, { now: new Date(startedAt), deadline: Date.now() + JOB_BUDGET_MS });
  const prior = payload.totals ?? emptyCounts();
  const totals: PurgeCounts = { conversations: prior.conversations + counts.conversations, messages: prior.messages + counts.messages, files: prior.files + counts.files };
  if (!done) {
    await services.queue.enqueue(
      PURGE_JOB,
      { day, organizationId, startedAt, round: round + 1, totals },
      { deduplicationId: `${PURGE_JOB}:${organizationId}:${day}:${round + 1}` },
    );
    return { continued: true, round, totals };
  }
  await recordAudit(services.db, SCHEDULER_ACTOR, {
    action: 'privacy.retention_purged',
    organizationId,
    targetType: 'organization',
    targetId: organizationId,
    metadata: { counts: { ...totals }, retention: { ...retention } },
  });
  return { done: true, rounds: round + 1, totals };
}
