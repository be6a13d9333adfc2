import type { ModelUsage } from '../../../db/schema';
import { priceOf } from './costs';

/**
 * The analytics grain: one organization, bot, channel and local day, as sums and counts (never
 * averages), so rows from the daily roll-up and rows computed live add up the same way over any
 * range. Conversation-level figures (resolution, handoff, first response, rating) belong to the
 * day the conversation started; message-level figures to the day of the message.
 */
export const COUNT_FIELDS = [
  'conversations',
  'resolvedConversations',
  'botResolved',
  'handoffs',
  'messages',
  'userMessages',
  'botMessages',
  'agentMessages',
  'uniqueContacts',
  'failedAnswers',
  'knowledgeGaps',
  'firstResponseCount',
  'firstResponseMsSum',
  'botResponseCount',
  'botResponseMsSum',
  'humanResponseCount',
  'humanResponseMsSum',
  'firstTokenCount',
  'firstTokenMsSum',
  'ratingsCount',
  'ratingsSum',
  'thumbsUp',
  'thumbsDown',
  'inputTokens',
  'outputTokens',
  'costUsd',
] as const;

export type CountField = (typeof COUNT_FIELDS)[number];
export type MetricCounts = Record<CountField, number>;

/** Customer channels: playground chats are the team testing its bot and are never counted. */
export const CHANNELS = ['web', 'whatsapp', 'messenger', 'instagram', 'telegram', 'api', 'email', 'slack', 'discord'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface MetricRow extends MetricCounts {
  botId: string;
  channel: Channel;
  /** Local day, YYYY-MM-DD. */
  day: string;
  /** Bot answers by latency bucket: upper bound in ms (or "inf") -> answers. */
  responseHistogram: Record<string, number>;
  /** Ratings by star ("1".."5") -> conversations. */
  ratingDistribution: Record<string, number>;
  models: Record<string, ModelUsage>;
}

/**
 * Upper bounds (ms) of the bot-latency histogram; the last bucket is open ("inf"). Fine at the
 * low end too: extractive and fixed replies take tens of milliseconds, models seconds.
 */
export const LATENCY_BUCKETS_MS = [50, 100, 250, 500, 1000, 2000, 3000, 5000, 8000, 13000, 20000, 30000, 60000] as const;
export const OPEN_BUCKET = 'inf';

export function emptyCounts(): MetricCounts {
  return Object.fromEntries(COUNT_FIELDS.map((f) => [f, 0])) as MetricCounts;
}

export function emptyRow(botId: string, channel: Channel, day: string): MetricRow {
  return { ...emptyCounts(), botId, channel, day, responseHistogram: {}, ratingDistribution: {}, models: {} };
}

function addRecord(into: Record<string, number>, from: Record<string, number>) {
  for (const [key, value] of Object.entries(from)) into[key] = (into[key] ?? 0) + Number(value);
}

function addModels(into: Record<string, ModelUsage>, from: Record<string, ModelUsage>) {
  for (const [model, usage] of Object.entries(from)) {
    const current = (into[model] ??= { messages: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });
    current.messages += usage.messages;
    current.inputTokens += usage.inputTokens;
    current.outputTokens += usage.outputTokens;
    current.costUsd += usage.costUsd;
  }
}

/** Sums of many rows (any grain) into one accumulator. */
export interface Accumulated extends MetricCounts {
  responseHistogram: Record<string, number>;
  ratingDistribution: Record<string, number>;
  models: Record<string, ModelUsage>;
}

export function accumulate(rows: Iterable<Omit<MetricRow, 'botId' | 'channel' | 'day'>>): Accumulated {
  const total: Accumulated = { ...emptyCounts(), responseHistogram: {}, ratingDistribution: {}, models: {} };
  for (const row of rows) {
    for (const field of COUNT_FIELDS) total[field] += row[field];
    addRecord(total.responseHistogram, row.responseHistogram);
    addRecord(total.ratingDistribution, row.ratingDistribution);
    addModels(total.models, row.models);
  }
  return total;
}

/** Estimated latency at quantile `q` (0..1) from the histogram, interpolated inside its bucket. */
export function percentileFromHistogram(histogram: Record<string, number>, q: number): number | null {
  const buckets = [...LATENCY_BUCKETS_MS.map((b) => ({ key: String(b), upper: b as number })), { key: OPEN_BUCKET, upper: Infinity }];
  const total = buckets.reduce((sum, b) => sum + (histogram[b.key] ?? 0), 0);
  if (total === 0) return null;
  const target = q * total;
  let seen = 0;
  let lower = 0;
  for (const bucket of buckets) {
    const count = histogram[bucket.key] ?? 0;
    if (count > 0 && seen + count >= target) {
      // The open bucket has no upper bound: report its lower edge ("at least 60 s").
      if (bucket.upper === Infinity) return lower;
      return Math.round(lower + ((target - seen) / count) * (bucket.upper - lower));
    }
    seen += count;
    lower = bucket.upper;
  }
  return lower;
}

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : null);
const average = (sum: number, count: number) => (count > 0 ? Math.round(sum / count) : null);
const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

/** What the API shows for a set of rows: totals, rates, averages and percentiles. */
export function summarize(total: Accumulated) {
  const distribution = Object.fromEntries([1, 2, 3, 4, 5].map((star) => [String(star), total.ratingDistribution[String(star)] ?? 0]));
  const satisfied = distribution['4'] + distribution['5'];
  const thumbs = total.thumbsUp + total.thumbsDown;
  return {
    conversations: total.conversations,
    messages: total.messages,
    userMessages: total.userMessages,
    botMessages: total.botMessages,
    agentMessages: total.agentMessages,
    uniqueContacts: total.uniqueContacts,
    resolvedConversations: total.resolvedConversations,
    botResolved: total.botResolved,
    handoffs: total.handoffs,
    botResolutionRate: ratio(total.botResolved, total.conversations),
    handoffRate: ratio(total.handoffs, total.conversations),
    avgFirstResponseMs: average(total.firstResponseMsSum, total.firstResponseCount),
    avgBotResponseMs: average(total.botResponseMsSum, total.botResponseCount),
    avgHumanResponseMs: average(total.humanResponseMsSum, total.humanResponseCount),
    avgFirstTokenMs: average(total.firstTokenMsSum, total.firstTokenCount),
    responseTime: {
      p50: percentileFromHistogram(total.responseHistogram, 0.5),
      p90: percentileFromHistogram(total.responseHistogram, 0.9),
      p95: percentileFromHistogram(total.responseHistogram, 0.95),
      p99: percentileFromHistogram(total.responseHistogram, 0.99),
    },
    ratingsCount: total.ratingsCount,
    avgRating: total.ratingsCount > 0 ? Math.round((total.ratingsSum / total.ratingsCount) * 100) / 100 : null,
    satisfactionRate: ratio(satisfied, total.ratingsCount),
    ratingDistribution: distribution,
    thumbsUp: total.thumbsUp,
    thumbsDown: total.thumbsDown,
    thumbsUpRate: ratio(total.thumbsUp, thumbs),
    failedAnswers: total.failedAnswers,
    knowledgeGaps: total.knowledgeGaps,
    inputTokens: total.inputTokens,
    outputTokens: total.outputTokens,
    costUsd: round6(total.costUsd),
  };
}

export type Summary = ReturnType<typeof summarize>;

/** The histogram as ordered buckets for charts: `upToMs` null is the open "60 s and more" bucket. */
export function histogramBuckets(histogram: Record<string, number>) {
  return [...LATENCY_BUCKETS_MS.map((b) => ({ upToMs: b as number | null, key: String(b) })), { upToMs: null, key: OPEN_BUCKET }].map(
    ({ upToMs, key }) => ({ upToMs, count: histogram[key] ?? 0 }),
  );
}

/** Per-model usage, most expensive first; `priced` is false for hosted models without a known price. */
export function modelUsageList(models: Record<string, ModelUsage>) {
  return Object.entries(models)
    .map(([model, usage]) => ({ model, ...usage, costUsd: round6(usage.costUsd), priced: priceOf(model) !== null }))
    .sort((a, b) => b.costUsd - a.costUsd || b.messages - a.messages);
}
