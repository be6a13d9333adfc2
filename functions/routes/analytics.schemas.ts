import { z } from '@hono/zod-openapi';
import { CHANNELS } from '../core/analytics/metrics';
import { REPORT_METRICS } from '../core/analytics/reports';

const day = (description: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-03-01')
    .openapi({ description, example: '2026-03-01', format: 'date' });

const CHANNEL_LIST = new RegExp(`^(${CHANNELS.join('|')})(,(${CHANNELS.join('|')}))*$`);
const UUID_LIST = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(,[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}){0,49}$/i;

/** Range and filters shared by every analytics read. Days are local to the organization's timezone. */
export const RangeQuerySchema = z.object({
  from: day('First day, included, in the organization\u2019s timezone; default 29 days before `to`').optional(),
  to: day('Last day, included; default today').optional(),
  botIds: z.string().regex(UUID_LIST, 'Comma-separated chatbot ids (at most 50)').optional().openapi({ description: 'Only these chatbots (comma separated)' }),
  channels: z
    .string()
    .regex(CHANNEL_LIST, `Comma-separated channels: ${CHANNELS.join(', ')}`)
    .optional()
    .openapi({ description: 'Only these channels (comma separated)', example: 'web,whatsapp' }),
});

export type RangeQuery = z.infer<typeof RangeQuerySchema>;

/** Query strings -> range input (the comma lists split). */
export function rangeInput(query: RangeQuery) {
  return {
    from: query.from,
    to: query.to,
    botIds: query.botIds ? [...new Set(query.botIds.toLowerCase().split(','))] : undefined,
    channels: query.channels ? ([...new Set(query.channels.split(','))] as (typeof CHANNELS)[number][]) : undefined,
  };
}

const count = (description: string) => z.number().int().openapi({ description });
const rate = (description: string) => z.number().nullable().openapi({ description: `${description}; fraction 0..1, null without data` });
const ms = (description: string) => z.number().int().nullable().openapi({ description: `${description}, milliseconds; null without data` });

export const SummarySchema = z
  .object({
    conversations: count('Conversations started'),
    messages: count('Messages from visitors, the bot and agents (notes excluded)'),
    userMessages: count('Messages from visitors'),
    botMessages: count('Bot answers'),
    agentMessages: count('Replies from people on the team'),
    uniqueContacts: count('Distinct contacts who wrote on each day, added up over the days'),
    resolvedConversations: count('Conversations started in the range that are now resolved or closed'),
    botResolved: count('Of those, resolved without ever leaving the bot'),
    handoffs: count('Conversations started in the range that were handed to a person'),
    botResolutionRate: rate('botResolved / conversations'),
    handoffRate: rate('handoffs / conversations'),
    avgFirstResponseMs: ms('Average time from a conversation\u2019s start to its first reply (bot or person)'),
    avgBotResponseMs: ms('Average bot answer time'),
    avgHumanResponseMs: ms('Average time a person took to answer a waiting visitor'),
    avgFirstTokenMs: ms('Average time to the first token of model answers'),
    responseTime: z
      .object({ p50: z.number().nullable(), p90: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() })
      .openapi({ description: 'Bot answer time percentiles in ms, estimated from the latency histogram' }),
    ratingsCount: count('Conversations rated (1-5 stars)'),
    avgRating: z.number().nullable().openapi({ description: 'Average stars, 1-5' }),
    satisfactionRate: rate('Ratings of 4 or 5 stars / ratings'),
    ratingDistribution: z.record(z.string(), z.number().int()).openapi({ description: 'Stars ("1".."5") -> conversations', example: { '1': 0, '2': 1, '3': 2, '4': 5, '5': 9 } }),
    thumbsUp: count('Answers marked helpful'),
    thumbsDown: count('Answers marked not helpful'),
    thumbsUpRate: rate('thumbsUp / (thumbsUp + thumbsDown)'),
    failedAnswers: count('Answers where the model call failed and the fallback message was sent'),
    knowledgeGaps: count('Answers not backed by the knowledge base (fallback, or no passage above the threshold)'),
    inputTokens: count('Prompt tokens'),
    outputTokens: count('Completion tokens'),
    costUsd: z.number().openapi({ description: 'Estimated model cost in USD at list prices' }),
  })
  .openapi('AnalyticsSummary');

export const RangeSchema = {
  from: z.string().openapi({ format: 'date' }),
  to: z.string().openapi({ format: 'date' }),
  timezone: z.string().openapi({ example: 'America/Mexico_City' }),
};

export const DaySummarySchema = SummarySchema.extend({ day: z.string().openapi({ format: 'date' }) }).openapi('AnalyticsDay');
export const ChannelSummarySchema = SummarySchema.extend({ channel: z.enum(CHANNELS) }).openapi('AnalyticsChannel');
export const BotSummarySchema = SummarySchema.extend({
  botId: z.uuid(),
  name: z.string(),
  status: z.string(),
  model: z.string(),
}).openapi('AnalyticsAssistant');

export const HistogramSchema = z
  .array(z.object({ upToMs: z.number().nullable().openapi({ description: 'Bucket upper bound; null is "60 s and more"' }), count: z.number().int() }))
  .openapi('LatencyHistogram');

export const ModelUsageSchema = z
  .array(
    z.object({
      model: z.string(),
      messages: z.number().int(),
      inputTokens: z.number().int(),
      outputTokens: z.number().int(),
      costUsd: z.number(),
      priced: z.boolean().openapi({ description: 'False for hosted models without a known price (cost shown as 0)' }),
    }),
  )
  .openapi('ModelUsage');

export const ReportMetricSchema = z.enum(REPORT_METRICS);

export const FormatSchema = z.enum(['json', 'csv']).default('json').openapi({ description: '`csv` answers a file (text/csv) instead of JSON' });

const TimingSchema = z.object({ avgMs: z.number().nullable(), count: z.number().int() });

export const OverviewSchema = z.object({
  ...RangeSchema,
  totals: SummarySchema,
  previous: z.object({ from: z.string(), to: z.string(), totals: SummarySchema }).openapi({ description: 'The same number of days just before' }),
  today: SummarySchema.nullable().openapi({ description: 'Today so far, when the range includes it' }),
  series: z.array(DaySummarySchema),
  byBot: z.array(BotSummarySchema),
  byChannel: z.array(ChannelSummarySchema),
  histogram: HistogramSchema,
  models: ModelUsageSchema,
});

export const ConversationMetricsSchema = z.object({ ...RangeSchema, totals: SummarySchema, series: z.array(DaySummarySchema), byChannel: z.array(ChannelSummarySchema) });

export const PerformanceSchema = z.object({ ...RangeSchema, totals: SummarySchema, series: z.array(DaySummarySchema), histogram: HistogramSchema, models: ModelUsageSchema });

export const ResponseTimesSchema = z.object({
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
});

export const SatisfactionSchema = z.object({
  ...RangeSchema,
  ratingsCount: z.number().int(),
  avgRating: z.number().nullable(),
  satisfactionRate: z.number().nullable(),
  distribution: z.record(z.string(), z.number().int()),
  thumbsUp: z.number().int(),
  thumbsDown: z.number().int(),
  thumbsUpRate: z.number().nullable(),
  series: z.array(z.object({ day: z.string(), ratingsCount: z.number().int(), avgRating: z.number().nullable(), thumbsUp: z.number().int(), thumbsDown: z.number().int() })),
  byBot: z.array(z.object({ botId: z.uuid(), name: z.string(), ratingsCount: z.number().int(), avgRating: z.number().nullable(), thumbsUp: z.number().int(), thumbsDown: z.number().int() })),
});

export const AssistantsSchema = z.object({ ...RangeSchema, data: z.array(BotSummarySchema) });

export const KnowledgeGapsQuerySchema = RangeQuerySchema.extend({ limit: z.coerce.number().int().min(1).max(200).default(50) });

export const KnowledgeGapsSchema = z.object({
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
});

export const ModelReportSchema = z
  .object({
    model: z.string(),
    messages: z.number().int().openapi({ description: 'Answers the model gave' }),
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
    costUsd: z.number().openapi({ description: 'From the bot\u2019s toolbox prices where set, else list prices' }),
    costPerAnswerUsd: z.number(),
    priced: z.boolean().openapi({ description: 'False when some answers came from a hosted model without a known price (counted as 0)' }),
    failed: z.number().int().openapi({ description: 'Answers where the model failed and the fallback reply was sent' }),
    thumbsUp: z.number().int(),
    thumbsDown: z.number().int(),
    tasks: z.record(z.string(), z.number().int()).openapi({ description: 'Answers by toolbox task (`general`, `fast`, `complex`…)' }),
    conversations: z.number().int(),
    ratedConversations: z.number().int(),
    avgRating: z.number().nullable().openapi({ description: 'Mean rating (1..5) of the conversations the model answered in' }),
    handoffs: z.number().int().openapi({ description: 'Conversations it answered in that went to a person' }),
    handoffRate: z.number().nullable(),
  })
  .openapi('ModelReport');

export const ModelsReportSchema = z.object({ from: z.string(), to: z.string(), timezone: z.string(), data: z.array(ModelReportSchema) });
