import { inArray } from 'drizzle-orm';
import { bots } from '../../../db/schema';
import { inOrg } from '../../lib/tenancy';
import type { Database } from '../../ports';
import { toCsv, type CsvValue } from './csv';
import { eachDay, lastCompletePeriod, localToday, monthStart, periodContaining, weekStart, type Period } from './dates';
import { accumulate, modelUsageList, summarize, type MetricRow, type Summary } from './metrics';
import { breakdownByBot, breakdownByChannel, loadRange, seriesByDay, type AnalyticsServices, type RangeInput } from './range';
import { organizationTimeZone } from './rollup';

/**
 * Reports: the standard periods (day, ISO week, month) and custom ones (range, bots, channels,
 * chosen metrics, grouping), as JSON or CSV. Every figure comes from the same rows as the
 * analytics endpoints, so a report and the dashboard never disagree.
 */
export const REPORT_METRICS = [
  'conversations',
  'messages',
  'userMessages',
  'botMessages',
  'agentMessages',
  'uniqueContacts',
  'resolvedConversations',
  'botResolved',
  'handoffs',
  'botResolutionRate',
  'handoffRate',
  'avgFirstResponseMs',
  'avgBotResponseMs',
  'avgHumanResponseMs',
  'avgFirstTokenMs',
  'p50ResponseMs',
  'p90ResponseMs',
  'p95ResponseMs',
  'p99ResponseMs',
  'ratingsCount',
  'avgRating',
  'satisfactionRate',
  'thumbsUp',
  'thumbsDown',
  'failedAnswers',
  'knowledgeGaps',
  'inputTokens',
  'outputTokens',
  'costUsd',
] as const;

export type ReportMetric = (typeof REPORT_METRICS)[number];
export type MetricValues = Record<ReportMetric, number | null>;

const round = (value: number | null, digits: number) => (value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits);

/** A summary as flat metric values (rates as fractions 0..1). */
export function flatMetrics(summary: Summary): MetricValues {
  return {
    conversations: summary.conversations,
    messages: summary.messages,
    userMessages: summary.userMessages,
    botMessages: summary.botMessages,
    agentMessages: summary.agentMessages,
    uniqueContacts: summary.uniqueContacts,
    resolvedConversations: summary.resolvedConversations,
    botResolved: summary.botResolved,
    handoffs: summary.handoffs,
    botResolutionRate: round(summary.botResolutionRate, 4),
    handoffRate: round(summary.handoffRate, 4),
    avgFirstResponseMs: summary.avgFirstResponseMs,
    avgBotResponseMs: summary.avgBotResponseMs,
    avgHumanResponseMs: summary.avgHumanResponseMs,
    avgFirstTokenMs: summary.avgFirstTokenMs,
    p50ResponseMs: summary.responseTime.p50,
    p90ResponseMs: summary.responseTime.p90,
    p95ResponseMs: summary.responseTime.p95,
    p99ResponseMs: summary.responseTime.p99,
    ratingsCount: summary.ratingsCount,
    avgRating: summary.avgRating,
    satisfactionRate: round(summary.satisfactionRate, 4),
    thumbsUp: summary.thumbsUp,
    thumbsDown: summary.thumbsDown,
    failedAnswers: summary.failedAnswers,
    knowledgeGaps: summary.knowledgeGaps,
    inputTokens: summary.inputTokens,
    outputTokens: summary.outputTokens,
    costUsd: summary.costUsd,
  };
}

const pick = (values: MetricValues, metrics: readonly ReportMetric[]) =>
  Object.fromEntries(metrics.map((m) => [m, values[m]])) as Partial<MetricValues>;

async function botNames(db: Database, organizationId: string, ids: string[]) {
  if (ids.length === 0) return new Map<string, string>();
  const rows = await db.select({ id: bots.id, name: bots.name }).from(bots).where(inOrg(bots, organizationId, inArray(bots.id, ids)));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** A standard period report: the whole period containing `date`, or the last complete one. */
export async function periodReport(services: AnalyticsServices, organizationId: string, period: Period, date: string | undefined, now = new Date()) {
  const { db } = services;
  const timeZone = (await organizationTimeZone(db, organizationId)) ?? 'UTC';
  const bounds = date ? periodContaining(period, date) : lastCompletePeriod(period, localToday(timeZone, now));
  const range = await loadRange(services, organizationId, bounds, now);
  const total = accumulate(range.rows);
  const report = {
    period,
    from: range.from,
    to: range.to,
    timezone: range.timeZone,
    /** False while the period is still running (it includes today or later). */
    complete: range.to < range.today,
    totals: summarize(total),
    byDay: seriesByDay(range),
    byBot: await breakdownByBot(db, organizationId, range.rows),
    byChannel: breakdownByChannel(range.rows),
    models: modelUsageList(total.models),
  };
  return { report, rows: range.rows };
}

export const DETAIL_COLUMNS = ['day', 'botId', 'botName', 'channel', ...REPORT_METRICS];

/** CSV of a period report: one line per day, bot and channel with activity (the finest grain). */
export async function periodReportCsv(db: Database, organizationId: string, rows: MetricRow[]) {
  const names = await botNames(db, organizationId, [...new Set(rows.map((r) => r.botId))]);
  const lines = [...rows]
    .sort((a, b) => a.day.localeCompare(b.day) || (names.get(a.botId) ?? '').localeCompare(names.get(b.botId) ?? '') || a.channel.localeCompare(b.channel))
    .map((row) => ({ day: row.day, botId: row.botId, botName: names.get(row.botId) ?? '', channel: row.channel, ...flatMetrics(summarize(accumulate([row]))) }));
  return toCsv(DETAIL_COLUMNS, lines);
}

export type GroupBy = 'day' | 'week' | 'month' | 'bot' | 'channel' | 'total';

export interface CustomReportInput extends RangeInput {
  from: string;
  to: string;
  metrics?: ReportMetric[];
  groupBy: GroupBy;
}

function groupKey(groupBy: GroupBy, row: MetricRow): string {
  switch (groupBy) {
    case 'day':
      return row.day;
    case 'week':
      return weekStart(row.day);
    case 'month':
      return monthStart(row.day).slice(0, 7);
    case 'bot':
      return row.botId;
    case 'channel':
      return row.channel;
    case 'total':
      return 'total';
  }
}

/** A custom report: the chosen metrics per group over the range, plus the totals. */
export async function customReport(services: AnalyticsServices, organizationId: string, input: CustomReportInput, now = new Date()) {
  const { db } = services;
  const range = await loadRange(services, organizationId, input, now);
  const metrics = input.metrics?.length ? [...new Set(input.metrics)] : [...REPORT_METRICS];
  const groups = new Map<string, MetricRow[]>();
  // By day, every day of the range is listed, quiet ones included (a chart needs the gaps).
  if (input.groupBy === 'day') for (const day of eachDay(range.from, range.to)) groups.set(day, []);
  if (input.groupBy === 'total') groups.set('total', []);
  for (const row of range.rows) {
    const key = groupKey(input.groupBy, row);
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  const names = input.groupBy === 'bot' ? await botNames(db, organizationId, [...groups.keys()]) : new Map<string, string>();
  const rows = [...groups.entries()]
    .map(([key, list]) => ({ key, label: names.get(key) ?? key, values: pick(flatMetrics(summarize(accumulate(list))), metrics) }))
    .sort((a, b) => (input.groupBy === 'bot' ? a.label.localeCompare(b.label) : a.key.localeCompare(b.key)));
  return {
    from: range.from,
    to: range.to,
    timezone: range.timeZone,
    groupBy: input.groupBy,
    botIds: range.botIds ?? [],
    channels: range.channels ?? [],
    metrics,
    rows,
    totals: pick(flatMetrics(summarize(accumulate(range.rows))), metrics),
  };
}

export type CustomReport = Awaited<ReturnType<typeof customReport>>;

/** CSV of a custom report: the group column(s), then one column per chosen metric. */
export function customReportCsv(report: CustomReport): string {
  const groupColumn = report.groupBy === 'bot' ? 'botId' : report.groupBy;
  const columns = report.groupBy === 'bot' ? [groupColumn, 'botName', ...report.metrics] : [groupColumn, ...report.metrics];
  const rows: Array<Record<string, CsvValue>> = report.rows.map((row) => ({ [groupColumn]: row.key, botName: row.label, ...row.values }));
  return toCsv(columns, rows);
}
