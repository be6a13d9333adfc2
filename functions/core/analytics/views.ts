import { knowledgeGaps } from './gaps';
import { accumulate, histogramBuckets, modelUsageList, summarize } from './metrics';
import {
  breakdownByBot,
  breakdownByChannel,
  loadMetricRows,
  loadRange,
  previousPeriod,
  resolveScope,
  seriesByDay,
  type AnalyticsServices,
  type RangeInput,
} from './range';

/**
 * The analytics API's views, one per endpoint: each loads the range (past days from the roll-up,
 * today live) and shapes the same numbers for what its page draws.
 */
const rangeOf = (range: { from: string; to: string; timeZone: string }) => ({ from: range.from, to: range.to, timezone: range.timeZone });

/** Everything the dashboard's analytics page draws, in one request. */
export async function overviewView(services: AnalyticsServices, organizationId: string, input: RangeInput) {
  const scope = await resolveScope(services.db, organizationId, input);
  const before = previousPeriod(scope);
  const [rows, previousRows] = await Promise.all([loadMetricRows(services, scope), loadMetricRows(services, { ...scope, ...before })]);
  const total = accumulate(rows);
  const includesToday = scope.from <= scope.today && scope.today <= scope.to;
  return {
    ...rangeOf(scope),
    totals: summarize(total),
    previous: { ...before, totals: summarize(accumulate(previousRows)) },
    today: includesToday ? summarize(accumulate(rows.filter((r) => r.day === scope.today))) : null,
    series: seriesByDay({ ...scope, rows }),
    byBot: await breakdownByBot(services.db, organizationId, rows, scope.botIds),
    byChannel: breakdownByChannel(rows),
    histogram: histogramBuckets(total.responseHistogram),
    models: modelUsageList(total.models),
  };
}

export async function conversationsView(services: AnalyticsServices, organizationId: string, input: RangeInput) {
  const range = await loadRange(services, organizationId, input);
  return { ...rangeOf(range), totals: summarize(accumulate(range.rows)), series: seriesByDay(range), byChannel: breakdownByChannel(range.rows) };
}

export async function performanceView(services: AnalyticsServices, organizationId: string, input: RangeInput) {
  const range = await loadRange(services, organizationId, input);
  const total = accumulate(range.rows);
  return {
    ...rangeOf(range),
    totals: summarize(total),
    series: seriesByDay(range),
    histogram: histogramBuckets(total.responseHistogram),
    models: modelUsageList(total.models),
  };
}

export async function responseTimeView(services: AnalyticsServices, organizationId: string, input: RangeInput) {
  const range = await loadRange(services, organizationId, input);
  const total = accumulate(range.rows);
  const summary = summarize(total);
  return {
    ...rangeOf(range),
    firstResponse: { avgMs: summary.avgFirstResponseMs, count: total.firstResponseCount },
    bot: { avgMs: summary.avgBotResponseMs, count: total.botResponseCount, ...summary.responseTime, histogram: histogramBuckets(total.responseHistogram) },
    human: { avgMs: summary.avgHumanResponseMs, count: total.humanResponseCount },
    firstToken: { avgMs: summary.avgFirstTokenMs, count: total.firstTokenCount },
    series: seriesByDay(range).map((d) => ({
      day: d.day,
      avgFirstResponseMs: d.avgFirstResponseMs,
      avgBotResponseMs: d.avgBotResponseMs,
      avgHumanResponseMs: d.avgHumanResponseMs,
      avgFirstTokenMs: d.avgFirstTokenMs,
      p50: d.responseTime.p50,
      p90: d.responseTime.p90,
    })),
  };
}

export async function satisfactionView(services: AnalyticsServices, organizationId: string, input: RangeInput) {
  const range = await loadRange(services, organizationId, input);
  const summary = summarize(accumulate(range.rows));
  const byBot = await breakdownByBot(services.db, organizationId, range.rows, range.botIds);
  return {
    ...rangeOf(range),
    ratingsCount: summary.ratingsCount,
    avgRating: summary.avgRating,
    satisfactionRate: summary.satisfactionRate,
    distribution: summary.ratingDistribution,
    thumbsUp: summary.thumbsUp,
    thumbsDown: summary.thumbsDown,
    thumbsUpRate: summary.thumbsUpRate,
    series: seriesByDay(range).map((d) => ({ day: d.day, ratingsCount: d.ratingsCount, avgRating: d.avgRating, thumbsUp: d.thumbsUp, thumbsDown: d.thumbsDown })),
    byBot: byBot.map((b) => ({ botId: b.botId, name: b.name, ratingsCount: b.ratingsCount, avgRating: b.avgRating, thumbsUp: b.thumbsUp, thumbsDown: b.thumbsDown })),
  };
}

export async function assistantsView(services: AnalyticsServices, organizationId: string, input: RangeInput) {
  const range = await loadRange(services, organizationId, input);
  return { ...rangeOf(range), data: await breakdownByBot(services.db, organizationId, range.rows, range.botIds) };
}

export async function knowledgeGapsView(services: AnalyticsServices, organizationId: string, input: RangeInput, limit: number) {
  const scope = await resolveScope(services.db, organizationId, input);
  const result = await knowledgeGaps(services.db, scope, limit);
  return { ...rangeOf(scope), truncated: result.truncated, data: result.gaps };
}
