import { createRoute, z } from '@hono/zod-openapi';
import { knowledgeGaps } from '../core/analytics/gaps';
import { accumulate, histogramBuckets, modelUsageList, summarize } from '../core/analytics/metrics';
import { breakdownByBot, breakdownByChannel, loadMetricRows, loadRange, previousPeriod, resolveScope, seriesByDay } from '../core/analytics/range';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate, withOrg } from '../middleware/auth';
import {
  BotSummarySchema,
  ChannelSummarySchema,
  DaySummarySchema,
  HistogramSchema,
  ModelUsageSchema,
  RangeQuerySchema,
  RangeSchema,
  SummarySchema,
  rangeInput,
} from './analytics.schemas';

/**
 * Analytics reads for every member (viewer and up): days in the organization's timezone, past
 * days from the nightly roll-up, today live. `overview` carries everything the dashboard page
 * draws in one request; the other endpoints are focused views of the same numbers.
 */
export const analyticsRouter = createRouter();
analyticsRouter.use('*', authenticate, withOrg);

const tags = ['Analytics'];
const request = { headers: OrgHeaderSchema, query: RangeQuerySchema };

analyticsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/overview',
    tags,
    summary: 'Totals, the previous period, today, daily series, and breakdowns by assistant and channel',
    security: bearerSecurity,
    request,
    responses: {
      200: jsonContent(
        z.object({
          ...RangeSchema,
          totals: SummarySchema,
          previous: z.object({ from: z.string(), to: z.string(), totals: SummarySchema }).openapi({ description: 'The same number of days just before' }),
          today: SummarySchema.nullable().openapi({ description: 'Today so far, when the range includes it' }),
          series: z.array(DaySummarySchema),
          byBot: z.array(BotSummarySchema),
          byChannel: z.array(ChannelSummarySchema),
          histogram: HistogramSchema,
          models: ModelUsageSchema,
        }),
        'The overview',
      ),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const { db } = c.get('services');
    const { organizationId } = c.get('org');
    const scope = await resolveScope(db, organizationId, rangeInput(c.req.valid('query')));
    const before = previousPeriod(scope);
    const services = c.get('services');
    const [rows, previousRows] = await Promise.all([loadMetricRows(services, scope), loadMetricRows(services, { ...scope, ...before })]);
    const total = accumulate(rows);
    const includesToday = scope.from <= scope.today && scope.today <= scope.to;
    return c.json(
      {
        from: scope.from,
        to: scope.to,
        timezone: scope.timeZone,
        totals: summarize(total),
        previous: { ...before, totals: summarize(accumulate(previousRows)) },
        today: includesToday ? summarize(accumulate(rows.filter((r) => r.day === scope.today))) : null,
        series: seriesByDay({ ...scope, rows }),
        byBot: await breakdownByBot(db, organizationId, rows, scope.botIds),
        byChannel: breakdownByChannel(rows),
        histogram: histogramBuckets(total.responseHistogram),
        models: modelUsageList(total.models),
      },
      200,
    );
  },
);

analyticsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/conversations',
    tags,
    summary: 'Conversations, messages, contacts, resolution and handoffs per day and channel',
    security: bearerSecurity,
    request,
    responses: {
      200: jsonContent(
        z.object({ ...RangeSchema, totals: SummarySchema, series: z.array(DaySummarySchema), byChannel: z.array(ChannelSummarySchema) }),
        'Conversation metrics',
      ),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const range = await loadRange(c.get('services'), c.get('org').organizationId, rangeInput(c.req.valid('query')));
    return c.json(
      { from: range.from, to: range.to, timezone: range.timeZone, totals: summarize(accumulate(range.rows)), series: seriesByDay(range), byChannel: breakdownByChannel(range.rows) },
      200,
    );
  },
);

analyticsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/performance',
    tags,
    summary: 'Response times, failed answers, knowledge gaps, tokens and estimated cost per model',
    security: bearerSecurity,
    request,
    responses: {
      200: jsonContent(
        z.object({ ...RangeSchema, totals: SummarySchema, series: z.array(DaySummarySchema), histogram: HistogramSchema, models: ModelUsageSchema }),
        'Performance metrics',
      ),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const range = await loadRange(c.get('services'), c.get('org').organizationId, rangeInput(c.req.valid('query')));
    const total = accumulate(range.rows);
    return c.json(
      {
        from: range.from,
        to: range.to,
        timezone: range.timeZone,
        totals: summarize(total),
        series: seriesByDay(range),
        histogram: histogramBuckets(total.responseHistogram),
        models: modelUsageList(total.models),
      },
      200,
    );
  },
);

const TimingSchema = z.object({ avgMs: z.number().nullable(), count: z.number().int() });

analyticsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/response-time',
    tags,
    summary: 'First-response, bot, human and first-token times, with bot percentiles and histogram',
    security: bearerSecurity,
    request,
    responses: {
      200: jsonContent(
        z.object({
          ...RangeSchema,
          firstResponse: TimingSchema,
          bot: TimingSchema.extend({ p50: z.number().nullable(), p90: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable(), histogram: HistogramSchema }),
          human: TimingSchema,
          firstToken: TimingSchema,
          series: z.array(
            z.object({
              day: z.string(),
              avgFirstResponseMs: z.number().nullable(),
              avgBotResponseMs: z.number().nullable(),
              avgHumanResponseMs: z.number().nullable(),
              avgFirstTokenMs: z.number().nullable(),
              p50: z.number().nullable(),
              p90: z.number().nullable(),
            }),
          ),
        }),
        'Response times',
      ),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const range = await loadRange(c.get('services'), c.get('org').organizationId, rangeInput(c.req.valid('query')));
    const total = accumulate(range.rows);
    const summary = summarize(total);
    return c.json(
      {
        from: range.from,
        to: range.to,
        timezone: range.timeZone,
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
      },
      200,
    );
  },
);

analyticsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/user-satisfaction',
    tags,
    summary: 'Ratings (1-5) and thumbs: averages, distribution, per day and per assistant',
    security: bearerSecurity,
    request,
    responses: {
      200: jsonContent(
        z.object({
          ...RangeSchema,
          ratingsCount: z.number().int(),
          avgRating: z.number().nullable(),
          satisfactionRate: z.number().nullable(),
          distribution: z.record(z.string(), z.number().int()),
          thumbsUp: z.number().int(),
          thumbsDown: z.number().int(),
          thumbsUpRate: z.number().nullable(),
          series: z.array(z.object({ day: z.string(), ratingsCount: z.number().int(), avgRating: z.number().nullable(), thumbsUp: z.number().int(), thumbsDown: z.number().int() })),
          byBot: z.array(
            z.object({ botId: z.uuid(), name: z.string(), ratingsCount: z.number().int(), avgRating: z.number().nullable(), thumbsUp: z.number().int(), thumbsDown: z.number().int() }),
          ),
        }),
        'Satisfaction',
      ),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const { db } = c.get('services');
    const { organizationId } = c.get('org');
    const range = await loadRange(c.get('services'), organizationId, rangeInput(c.req.valid('query')));
    const summary = summarize(accumulate(range.rows));
    const byBot = await breakdownByBot(db, organizationId, range.rows, range.botIds);
    return c.json(
      {
        from: range.from,
        to: range.to,
        timezone: range.timeZone,
        ratingsCount: summary.ratingsCount,
        avgRating: summary.avgRating,
        satisfactionRate: summary.satisfactionRate,
        distribution: summary.ratingDistribution,
        thumbsUp: summary.thumbsUp,
        thumbsDown: summary.thumbsDown,
        thumbsUpRate: summary.thumbsUpRate,
        series: seriesByDay(range).map((d) => ({ day: d.day, ratingsCount: d.ratingsCount, avgRating: d.avgRating, thumbsUp: d.thumbsUp, thumbsDown: d.thumbsDown })),
        byBot: byBot.map((b) => ({ botId: b.botId, name: b.name, ratingsCount: b.ratingsCount, avgRating: b.avgRating, thumbsUp: b.thumbsUp, thumbsDown: b.thumbsDown })),
      },
      200,
    );
  },
);

analyticsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/assistants',
    tags,
    summary: 'Every assistant\u2019s metrics over the range, busiest first',
    security: bearerSecurity,
    request,
    responses: { 200: jsonContent(z.object({ ...RangeSchema, data: z.array(BotSummarySchema) }), 'Per assistant'), ...protectedErrors },
  }),
  async (c) => {
    const { db } = c.get('services');
    const { organizationId } = c.get('org');
    const range = await loadRange(c.get('services'), organizationId, rangeInput(c.req.valid('query')));
    return c.json({ from: range.from, to: range.to, timezone: range.timeZone, data: await breakdownByBot(db, organizationId, range.rows, range.botIds) }, 200);
  },
);

analyticsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/knowledge-gaps',
    tags,
    summary: 'Questions the assistants could not answer from their knowledge, grouped, most asked first',
    description:
      'An answer is a gap when the fallback message was used or no knowledge passage scored above the bot\u2019s threshold. Questions are grouped by their content words (accents, punctuation and word order ignored). The newest 2000 gaps of the range are grouped; `truncated` says when there were more.',
    security: bearerSecurity,
    request: { ...request, query: RangeQuerySchema.extend({ limit: z.coerce.number().int().min(1).max(200).default(50) }) },
    responses: {
      200: jsonContent(
        z.object({
          ...RangeSchema,
          truncated: z.boolean(),
          data: z.array(
            z.object({
              key: z.string(),
              question: z.string().openapi({ description: 'The most frequent wording' }),
              count: z.number().int(),
              lastAskedAt: z.string(),
              botIds: z.array(z.uuid()),
              examples: z.array(z.string()),
              conversationIds: z.array(z.uuid()),
            }),
          ),
        }),
        'Knowledge gaps',
      ),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const { db } = c.get('services');
    const query = c.req.valid('query');
    const scope = await resolveScope(db, c.get('org').organizationId, rangeInput(query));
    const result = await knowledgeGaps(db, scope, query.limit);
    return c.json({ from: scope.from, to: scope.to, timezone: scope.timeZone, truncated: result.truncated, data: result.gaps }, 200);
  },
);
