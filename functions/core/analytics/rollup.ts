import { eq, getTableColumns, sql } from 'drizzle-orm';
import { dailyMetrics, organizations } from '../../../db/schema';
import { inOrg } from '../../lib/tenancy';
import type { Services } from '../../ports';
import { computeMetricRows } from './compute';
import { addDays, isDay, localToday, minDay } from './dates';

/**
 * The daily roll-up into `daily_metrics`: one row per bot, channel and complete local day.
 * Re-running a day replaces its rows in one statement (stale rows deleted, fresh ones upserted),
 * so it is idempotent and safe for any past day. Each run also re-rolls the few days before, so
 * ratings, resolutions and thumbs that arrive after the night's run are caught.
 */
export const ROLLUP_JOB = 'rollup-daily-metrics';

export async function organizationTimeZone(db: Services['db'], organizationId: string): Promise<string | null> {
  const [org] = await db.select({ timezone: organizations.timezone }).from(organizations).where(eq(organizations.id, organizationId)).limit(1);
  return org?.timezone ?? null;
}

const upsertColumns = Object.entries(getTableColumns(dailyMetrics))
  .filter(([key]) => !['id', 'organizationId', 'botId', 'channel', 'day', 'createdAt'].includes(key))
  .map(([key, column]) => [key, column.name] as const);

/** Rolls up one local day of one organization; returns how many rows it wrote. */
export async function rollupDay(db: Services['db'], organizationId: string, timeZone: string, day: string): Promise<number> {
  const rows = await computeMetricRows(db, { organizationId, timeZone, from: day, to: day });
  const keep = rows.map((r) => sql`(${r.botId}::uuid, ${r.channel}::channel_kind)`);
  // Rows of bots/channels that no longer have activity that day (deleted data) must go too.
  const stale = sql`delete from ${dailyMetrics}
    where ${dailyMetrics.organizationId} = ${organizationId} and ${dailyMetrics.day} = ${day}
    ${keep.length ? sql`and (${dailyMetrics.botId}, ${dailyMetrics.channel}) not in (${sql.join(keep, sql`, `)})` : sql``}`;
  if (rows.length === 0) {
    await db.execute(stale);
    return 0;
  }
  const insert = db
    .insert(dailyMetrics)
    .values(rows.map((row) => ({ ...row, organizationId, day })))
    .onConflictDoUpdate({
      target: [dailyMetrics.organizationId, dailyMetrics.botId, dailyMetrics.channel, dailyMetrics.day],
      set: Object.fromEntries(upsertColumns.map(([key, name]) => [key, key === 'updatedAt' ? sql`now()` : sql.raw(`excluded.${name}`)])),
    });
  // One statement: readers see the old day or the new one, never a half-written mix.
  await db.execute(sql`with stale as (${stale} returning 1) ${insert.getSQL()}`);
  return rows.length;
}

export interface RollupRequest {
  organizationId: string;
  /** Last local day to roll up; clamped to the organization's yesterday (today is never rolled up). */
  day?: string;
  /** How many days, ending at `day`. */
  days: number;
}

/** Days one job invocation rolls up; a longer backfill is split into jobs of this size. */
export const DAYS_PER_JOB = 7;

/** Rolls up `days` complete local days of one organization, oldest first. */
export async function rollupOrganization(services: Pick<Services, 'db' | 'queue'>, request: RollupRequest, now = new Date()) {
  const timeZone = await organizationTimeZone(services.db, request.organizationId);
  if (!timeZone) return { organizationId: request.organizationId, days: [] as string[], skipped: 'organization not found' };
  const yesterday = addDays(localToday(timeZone, now), -1);
  const last = request.day && isDay(request.day) ? minDay(request.day, yesterday) : yesterday;
  if (request.days > DAYS_PER_JOB) {
    // A long backfill would outlast one edge invocation: one job per week of it instead.
    const jobs: string[] = [];
    for (let end = last, left = request.days; left > 0; end = addDays(end, -DAYS_PER_JOB), left -= DAYS_PER_JOB) {
      const days = Math.min(DAYS_PER_JOB, left);
      await services.queue.enqueue(ROLLUP_JOB, { organizationId: request.organizationId, day: end, days }, { deduplicationId: `${ROLLUP_JOB}:${request.organizationId}:${end}:${days}` });
      jobs.push(end);
    }
    return { organizationId: request.organizationId, split: jobs.length };
  }
  const days: string[] = [];
  let rows = 0;
  for (let offset = request.days - 1; offset >= 0; offset--) {
    const day = addDays(last, -offset);
    rows += await rollupDay(services.db, request.organizationId, timeZone, day);
    days.push(day);
  }
  return { organizationId: request.organizationId, days, rows };
}

/**
 * Organizations that may have something to roll up: conversations started or active since
 * `since`, or roll-up rows in that window (their data may have been deleted since). One probe
 * per organization on the (organization, time) indexes, never a scan of every conversation.
 */
export async function organizationsToRollUp(db: Services['db'], since: Date): Promise<string[]> {
  const at = since.toISOString();
  const result = (await db.execute(sql`
    select o.id from organizations o
    where exists (select 1 from conversations c where c.organization_id = o.id and c.last_message_at >= ${at}::timestamptz)
       or exists (select 1 from conversations c where c.organization_id = o.id and c.created_at >= ${at}::timestamptz)
       or exists (select 1 from daily_metrics d where d.organization_id = o.id and d.day >= ${at.slice(0, 10)}::date)
  `)) as unknown as { rows: Array<{ id: string }> };
  return result.rows.map((r) => r.id);
}

/**
 * The job: with an organization, roll it up; without one (the daily trigger), fan out one job
 * per organization so a large tenant list never runs into one invocation's time limit.
 */
export async function runRollupJob(
  services: Pick<Services, 'db' | 'queue' | 'config'>,
  payload: { day?: string; organizationId?: string; days?: number },
  now = new Date(),
) {
  const days = payload.days ?? services.config.ANALYTICS_ROLLUP_LOOKBACK_DAYS;
  if (payload.organizationId) return rollupOrganization(services, { organizationId: payload.organizationId, day: payload.day, days }, now);
  // Two extra days cover the widest timezone offsets around the window.
  const since = new Date(now.getTime() - (days + 2) * 86_400_000);
  const orgIds = await organizationsToRollUp(services.db, since);
  const anchor = payload.day ?? now.toISOString().slice(0, 10);
  for (const organizationId of orgIds) {
    await services.queue.enqueue(ROLLUP_JOB, { organizationId, day: payload.day, days }, { deduplicationId: `${ROLLUP_JOB}:${organizationId}:${anchor}:${days}` });
  }
  return { enqueued: orgIds.length };
}

/** The newest rolled-up day of an organization, or null; days after it are computed live. */
export async function lastRolledUpDay(db: Services['db'], organizationId: string): Promise<string | null> {
  const [row] = await db
    .select({ day: sql<string | null>`max(${dailyMetrics.day})::text` })
    .from(dailyMetrics)
    .where(inOrg(dailyMetrics, organizationId));
  return row?.day ?? null;
}
