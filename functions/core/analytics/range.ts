import { asc, between, getTableColumns, inArray, sql } from 'drizzle-orm';
import { bots, dailyMetrics } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import { inOrg } from '../../lib/tenancy';
import type { Database, Services } from '../../ports';
import { customerChannel } from '../conversations/counted';
import { computeMetricRows, type MetricScope } from './compute';
import { addDays, dayCount, eachDay, isDay, localToday, maxDay, minDay } from './dates';
import { accumulate, CHANNELS, summarize, type Channel, type MetricRow } from './metrics';
import { lastRolledUpDay, organizationTimeZone } from './rollup';

/**
 * A date range of an organization's metrics: rolled-up rows for the days the nightly job has
 * done, plus rows computed live from the days after it (always today). Both come from the same
 * SQL, so the seam does not show in the numbers.
 */
export const MAX_RANGE_DAYS = 400;
export const DEFAULT_RANGE_DAYS = 30;

export interface RangeInput {
  from?: string;
  to?: string;
  botIds?: string[];
  channels?: Channel[];
}

export interface LoadedRange {
  timeZone: string;
  today: string;
  from: string;
  to: string;
  botIds?: string[];
  channels?: Channel[];
  rows: MetricRow[];
}

function invalid(path: string, message: string): never {
  throw new ApiError('validation_failed', message, { details: [{ path, message, code: 'custom' }] });
}

/** Validated scope: defaults to the last 30 days including today, in the organization's timezone. */
export async function resolveScope(db: Database, organizationId: string, input: RangeInput, now = new Date()) {
  const timeZone = (await organizationTimeZone(db, organizationId)) ?? 'UTC';
  const today = localToday(timeZone, now);
  if (input.from !== undefined && !isDay(input.from)) invalid('from', 'Use a date like 2026-03-01');
  if (input.to !== undefined && !isDay(input.to)) invalid('to', 'Use a date like 2026-03-31');
  const to = input.to ?? today;
  const from = input.from ?? addDays(to, -(DEFAULT_RANGE_DAYS - 1));
  if (from > to) invalid('from', '`from` must not be after `to`');
  if (dayCount(from, to) > MAX_RANGE_DAYS) invalid('to', `A range covers at most ${MAX_RANGE_DAYS} days`);
  return { organizationId, timeZone, today, from, to, botIds: input.botIds, channels: input.channels };
}

/** daily_metrics columns by MetricRow field, for a json_build_object that needs no renaming. */
const ROW_FIELDS = Object.entries(getTableColumns(dailyMetrics)).filter(([key]) => !['id', 'organizationId', 'createdAt', 'updatedAt'].includes(key));
const ROW_JSON = sql.raw(`json_build_object(${ROW_FIELDS.map(([key, column]) => `'${key}', ${column.name}`).join(', ')})`);

/**
 * Rolled-up rows of the scope. They come back as one JSON value: parsing a thousand rows of 36
 * columns field by field costs several times more than one JSON.parse (PGlite and Neon alike).
 */
async function rolledUpRows(db: Database, scope: MetricScope): Promise<MetricRow[]> {
  const result = (await db.execute(sql`
    select coalesce(json_agg(${ROW_JSON}), '[]'::json) as rows
    from ${dailyMetrics}
    where ${inOrg(
      dailyMetrics,
      scope.organizationId,
      between(dailyMetrics.day, scope.from, scope.to),
      // Rows rolled up before playground chats were left out may still hold them.
      customerChannel(dailyMetrics.channel),
      scope.botIds?.length ? inArray(dailyMetrics.botId, scope.botIds) : undefined,
      scope.channels?.length ? inArray(dailyMetrics.channel, scope.channels) : undefined,
    )}`)) as unknown as { rows: Array<{ rows: unknown }> };
  const value = result.rows[0]?.rows;
  return (typeof value === 'string' ? JSON.parse(value) : (value ?? [])) as MetricRow[];
}

/** Live rows stay cached this long when nothing new was written (ratings and status changes show within it). */
export const LIVE_CACHE_SECONDS = 60;

/**
 * Live rows, cached under a key that includes the newest conversation and message of the
 * organization: a new chat or message shows at once, while a dashboard refreshed by several
 * people does not recompute today's numbers each time.
 */
async function liveRows({ db, kv }: AnalyticsServices, scope: MetricScope): Promise<MetricRow[]> {
  const result = (await db.execute(sql`
    select (select max(created_at) from messages where organization_id = ${scope.organizationId})::text as message,
           (select max(created_at) from conversations where organization_id = ${scope.organizationId})::text as conversation`)) as unknown as {
    rows: Array<{ message: string | null; conversation: string | null }>;
  };
  const activity = result.rows[0];
  const key = [
    'analytics:live',
    scope.organizationId,
    scope.from,
    scope.to,
    scope.botIds?.slice().sort().join('+') ?? '*',
    scope.channels?.slice().sort().join('+') ?? '*',
    activity?.message ?? '-',
    activity?.conversation ?? '-',
  ].join(':');
  const cached = await kv.get<MetricRow[]>(key);
  if (cached) return cached;
  const rows = await computeMetricRows(db, scope);
  await kv.set(key, rows, { ttlSeconds: LIVE_CACHE_SECONDS });
  return rows;
}

export type AnalyticsServices = Pick<Services, 'db' | 'kv'>;

/** The rows of a range, rolled up where the nightly job has been, live after that. */
export async function loadMetricRows(services: AnalyticsServices, scope: MetricScope & { today: string }): Promise<MetricRow[]> {
  const { db } = services;
  const to = minDay(scope.to, scope.today);
  if (scope.from > to) return [];
  const watermark = await lastRolledUpDay(db, scope.organizationId);
  // Today is never rolled up; a roll-up row dated today could only come from a timezone change.
  const rolledThrough = watermark ? minDay(watermark, addDays(scope.today, -1)) : null;
  const liveFrom = rolledThrough ? maxDay(scope.from, addDays(rolledThrough, 1)) : scope.from;
  const [rolled, live] = await Promise.all([
    liveFrom > scope.from ? rolledUpRows(db, { ...scope, to: minDay(to, addDays(liveFrom, -1)) }) : [],
    liveFrom <= to ? liveRows(services, { ...scope, from: liveFrom, to }) : [],
  ]);
  return [...rolled, ...live];
}

export async function loadRange(services: AnalyticsServices, organizationId: string, input: RangeInput, now = new Date()): Promise<LoadedRange> {
  const scope = await resolveScope(services.db, organizationId, input, now);
  return { ...scope, rows: await loadMetricRows(services, scope) };
}

/** The same-length period just before the range (for "vs previous period"). */
export function previousPeriod(range: { from: string; to: string }) {
  const length = dayCount(range.from, range.to);
  return { from: addDays(range.from, -length), to: addDays(range.from, -1) };
}

function groupBy(rows: MetricRow[], key: (row: MetricRow) => string) {
  const groups = new Map<string, MetricRow[]>();
  for (const row of rows) {
    const k = key(row);
    const list = groups.get(k);
    if (list) list.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

/** One point per day of the range, days without activity included as zeros. */
export function seriesByDay(range: Pick<LoadedRange, 'from' | 'to' | 'rows'>) {
  const groups = groupBy(range.rows, (r) => r.day);
  return eachDay(range.from, range.to).map((day) => ({ day, ...summarize(accumulate(groups.get(day) ?? [])) }));
}

export function breakdownByChannel(rows: MetricRow[]) {
  const groups = groupBy(rows, (r) => r.channel);
  return CHANNELS.filter((channel) => groups.has(channel)).map((channel) => ({ channel, ...summarize(accumulate(groups.get(channel)!)) }));
}

/** Per assistant, every bot of the organization listed (idle ones with zeros), busiest first. */
export async function breakdownByBot(db: Database, organizationId: string, rows: MetricRow[], botIds?: string[]) {
  const list = await db
    .select({ id: bots.id, name: bots.name, status: bots.status, model: bots.model })
    .from(bots)
    .where(inOrg(bots, organizationId, botIds?.length ? inArray(bots.id, botIds) : undefined))
    .orderBy(asc(bots.name));
  const groups = groupBy(rows, (r) => r.botId);
  return list
    .map((bot) => ({ botId: bot.id, name: bot.name, status: bot.status, model: bot.model, ...summarize(accumulate(groups.get(bot.id) ?? [])) }))
    .sort((a, b) => b.conversations - a.conversations || b.messages - a.messages);
}
